// The server span every web entry point shares: verify headers, start `wsgi`, stop once on finish/close/error.
import { EventEmitter } from 'node:events';
import { IncomingMessage, STATUS_CODES, type ServerResponse } from 'node:http';
import { currentProfiler, runInProfiler } from '../../core/context.js';
import { errorInfo } from '../../core/error-info.js';
import { readIncomingTraceHeaders } from '../../propagation/headers.js';
import type { TraceInfo } from '../../core/payload.js';
import { Profiler } from '../../core/profiler.js';
import { ScopedSpan } from '../../core/scoped-span.js';
import { activeKeys, type ResolvedWebOptions } from './options.js';

const kSpan = Symbol('osprofiler.span');

interface SpanCarrier {
  [kSpan]?: ServerSpan;
}

type EmitFn = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

/**
 * True when `req` carries an `X-Trace-Info` header (Node lower-cases header names): the one
 * check an untraced request pays before the entry point calls on.
 */
export function hasTraceHeader(req: IncomingMessage): boolean {
  const headers = req.headers;
  return headers !== undefined && headers['x-trace-info'] !== undefined;
}

/**
 * The profiler to run `req`'s handler with, or undefined when the request must not be traced:
 * tracing off, no keys, headers missing, unsigned or invalid, or already traced by an outer
 * entry point. Never throws.
 * why: an untraced request costs one own-property read here (Node lower-cases header names);
 * nothing is verified, allocated or put in an AsyncLocalStorage unless `X-Trace-Info` is present.
 */
export function acceptRequest(options: ResolvedWebOptions, req: IncomingMessage): Profiler | undefined {
  if (!hasTraceHeader(req) || (req as SpanCarrier)[kSpan] !== undefined) return undefined;
  const keys = activeKeys(options);
  if (keys === undefined) return undefined;
  // NOTE: the signature is the access control: without a valid HMAC from one of our keys a caller
  // cannot make this service do any tracing work.
  const context = readIncomingTraceHeaders(req.headers, keys);
  if (context === null) return undefined;
  return new Profiler(context.hmac_key, context.base_id, context.parent_id);
}

/**
 * One traced request. Stops exactly once: when the response finishes, when the connection closes
 * first (client abort), or at once via `fail(error, true)`.
 */
export class ServerSpan {
  private readonly span: ScopedSpan;
  private failed = false;
  private error: unknown = undefined;
  private readonly res: ServerResponse;
  /** The request's profiler (the server span on top), which its events run with. */
  readonly profiler: Profiler;
  /** The request's own `emit`, which `emitInTrace` calls. */
  readonly emit: EmitFn;
  /** The response's own `emit`, which `emitResponse` calls. */
  readonly emitOnResponse: EmitFn;

  constructor(span: ScopedSpan, res: ServerResponse, emit: EmitFn) {
    this.span = span;
    this.res = res;
    this.profiler = span.profiler;
    this.emit = emit;
    this.emitOnResponse = res.emit as EmitFn;
  }

  /** Records that the handler failed; the stop will carry the error's etype/message. */
  fail(error: unknown, stopNow = false): void {
    if (!this.failed) {
      this.failed = true;
      this.error = error;
    }
    if (stopNow) this.end();
  }

  /** Sends the stop notification unless it was already sent. Never throws. */
  end(): void {
    if (this.span.open) this.span.stop(this.stopInfo(), true);
  }

  private stopInfo(): TraceInfo {
    const res = this.res;
    const info: TraceInfo = {};
    let status: number | undefined;
    try {
      if (res.headersSent) status = res.statusCode;
      if (this.failed) {
        const { etype, message } = errorInfo(this.error);
        info.etype = etype;
        info.message = message;
      } else if (!(res.writableFinished ?? res.finished)) {
        info.etype = 'RequestAborted';
        info.message = 'the connection closed before the response was complete';
      } else if (status !== undefined && status >= 500) {
        info.etype = 'HTTPError';
        info.message = `${status} ${res.statusMessage || STATUS_CODES[status] || ''}`.trimEnd();
      }
    } catch {
      // a response object of an unexpected shape: stop without details
    }
    // beyond Python, which records no status: `info.request.status_code`, mirroring the client's
    // `info.requests.status_code`.
    if (status !== undefined) info.request = { status_code: status };
    return info;
  }
}

/** The span of a request traced by any entry point, if any. */
export function spanOf(req: IncomingMessage): ServerSpan | undefined {
  return (req as SpanCarrier)[kSpan];
}

/**
 * Starts the server span of `req` on `profiler` (acceptRequest's, made for this request alone:
 * the span opens on it without a fork) and arranges its stop on the response's `finish` or
 * `close`. `url` is the original request target (frameworks may rewrite `req.url`).
 */
export function startServerSpan(
  name: string,
  profiler: Profiler,
  req: IncomingMessage,
  res: ServerResponse,
  url: string | undefined,
): ServerSpan {
  // why: the `host` slot is made with the object (the start fills it in), so adding it allocates nothing.
  const info: TraceInfo = { request: requestFields(req, url), host: '' };
  const span = new ServerSpan(new ScopedSpan(profiler, name, info, true), res, req.emit as EmitFn);
  (req as SpanCarrier)[kSpan] = span;
  (res as SpanCarrier)[kSpan] = span;
  // why: module-level functions that find the span on the emitter, so a traced request allocates
  // no closures for its emit. The response's `emit` sees 'finish' and 'close' go by: one property
  // write instead of two listeners (and no listener that removeAllListeners could take away).
  (res as unknown as { emit: EmitFn }).emit = emitResponse;
  (req as unknown as { emit: EmitFn }).emit = emitInTrace;
  return span;
}

/**
 * The traced response's `emit`: the span stops when 'finish' or 'close' is emitted, before the listeners run.
 * why: rest parameters passed on by a spread call; V8 forwards them without building an array,
 * where `Reflect.apply(emit, this, arguments)` cost ~90 ns an event (Node 20).
 */
function emitResponse(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
  const span = (this as SpanCarrier | undefined)?.[kSpan];
  if (span === undefined) return EventEmitter.prototype.emit.call(this, event, ...args);
  if (event === 'finish' || event === 'close') span.end();
  return span.emitOnResponse.call(this, event, ...args);
}

/**
 * The traced request's `emit`: every event runs in the request's trace context.
 * why: 'data'/'end' are emitted from the connection's async context, not the handler's, so body
 * parsers that call `next()` from an 'end' listener (Express, Fastify) would lose the profiler.
 */
function emitInTrace(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
  const span = (this as SpanCarrier | undefined)?.[kSpan];
  if (span === undefined) return IncomingMessage.prototype.emit.call(this, event, ...args);
  const { profiler, emit } = span;
  if (currentProfiler() === profiler) return emit.call(this, event, ...args);
  return emitInProfiler(profiler, emit, this, event, args);
}

// why: the closure lives here, so emitInTrace allocates no context for it when none is needed.
function emitInProfiler(
  profiler: Profiler,
  emit: EmitFn,
  emitter: unknown,
  event: string | symbol,
  args: unknown[],
): boolean {
  return runInProfiler(profiler, () => emit.call(emitter, event, ...args));
}

/** `{request: {path, query, method, scheme}}` as Python's WsgiMiddleware reports it. */
export function requestInfo(req: IncomingMessage, url: string | undefined): TraceInfo {
  return { request: requestFields(req, url) };
}

function requestFields(req: IncomingMessage, url: string | undefined): TraceInfo {
  const target = typeof url === 'string' ? url : typeof req.url === 'string' ? req.url : '/';
  const mark = target.indexOf('?');
  const path = mark === -1 ? target : target.slice(0, mark);
  return {
    path: quotePath(stripAuthority(path)),
    query: mark === -1 ? '' : target.slice(mark + 1),
    method: req.method ?? 'GET',
    scheme: requestScheme(req),
  };
}

/**
 * `https` when the connection itself is TLS, else `http`.
 * why: like Python's `wsgi.url_scheme`; X-Forwarded-Proto is client-controlled and ignored.
 */
function requestScheme(req: IncomingMessage): string {
  const http2Scheme = (req as { scheme?: unknown }).scheme;
  if (typeof http2Scheme === 'string') return http2Scheme;
  return (req.socket as { encrypted?: boolean } | null)?.encrypted === true ? 'https' : 'http';
}

/** The path of an absolute-form target (`http://host/p` as sent to proxies); others unchanged. */
function stripAuthority(path: string): string {
  if (path.charCodeAt(0) === 47 /* / */) return path;
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/.exec(path);
  if (match === null) return path;
  const rest = path.slice(match[0].length);
  return rest === '' ? '/' : rest;
}

// Bytes WebOb leaves unquoted in `request.path`: RFC 3986 unreserved plus "/~!$&'()*+,;=:@".
const SAFE = new Uint8Array(256);
for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/!$&'()*+,;=:@") {
  SAFE[ch.charCodeAt(0)] = 1;
}
const SAFE_PATH = /^[A-Za-z0-9_.\-~/!$&'()*+,;=:@]*$/;

/**
 * The path as WebOb reports it: percent-decoded to bytes (as a WSGI server does for PATH_INFO)
 * and re-quoted with WebOb's safe set, upper-case hex. `/a%7eb` → `/a~b`, `/a b` → `/a%20b`.
 */
export function quotePath(raw: string): string {
  if (SAFE_PATH.test(raw)) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    let code = raw.charCodeAt(i);
    if (code === 37 /* % */ && isHex(raw.charCodeAt(i + 1)) && isHex(raw.charCodeAt(i + 2))) {
      code = parseInt(raw.slice(i + 1, i + 3), 16);
      i += 2;
    } else if (code > 0xff) {
      // not reachable from the wire (Node reads the target as latin-1); encode as UTF-8 anyway
      const end = code >= 0xd800 && code <= 0xdbff && i + 1 < raw.length ? i + 2 : i + 1;
      for (const byte of Buffer.from(raw.slice(i, end), 'utf8')) out += quoteByte(byte);
      i = end - 1;
      continue;
    }
    out += quoteByte(code);
  }
  return out;
}

function quoteByte(byte: number): string {
  return SAFE[byte] === 1 ? String.fromCharCode(byte) : `%${byte < 16 ? '0' : ''}${byte.toString(16).toUpperCase()}`;
}

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}
