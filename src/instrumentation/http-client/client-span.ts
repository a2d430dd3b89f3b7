// The client span shared by the fetch/undici and node:http hooks: its info, its signed headers, one stop.
import { runInProfiler } from '../../core/context.js';
import { errorInfo } from '../../core/error-info.js';
import { getTraceIdHeaders } from '../../propagation/headers.js';
import type { TraceInfo } from '../../core/payload.js';
import { kScope, type Profiler } from '../../core/profiler.js';
import { ScopedSpan } from '../../core/scoped-span.js';

/** Where a request object keeps its span, then `DONE` once stopped. */
export const kClientSpan = Symbol('osprofiler.client-span');
/** Marks a request whose span was stopped (or that must never get one). */
export const DONE = 0;

/** A request object of undici or node:http as seen by our hooks. */
export interface SpanHolder {
  [kClientSpan]?: ScopedSpan | typeof DONE;
}

/**
 * True when outgoing requests in `profiler`'s trace are to be traced: everywhere once
 * traceRequests() is on (`everyTrace`), else only in a trace that startTrace() began.
 */
export function tracesRequests(profiler: Profiler, everyTrace: boolean): boolean {
  return everyTrace || profiler[kScope]?.traceRequests === true;
}

/** Where an outgoing request goes, as Python's requests hook reads it from the URL. */
export interface RequestTarget {
  method: string;
  /** `http` or `https` (no colon). */
  scheme: string;
  hostname: string;
  /** The explicit port, or undefined to guess from the scheme. */
  port: number | undefined;
  /** Path and query as sent, e.g. `/v2/servers?all=1`. */
  pathAndQuery: string;
}

/**
 * `{requests: {method, query, path, hostname, port, scheme}}`: query raw without `?`, hostname
 * lower-case without IPv6 brackets, port an int guessed 80/443 when absent (all as Python).
 */
export function requestsInfo(target: RequestTarget): TraceInfo {
  const raw = target.pathAndQuery;
  const hash = raw.indexOf('#');
  const full = hash === -1 ? raw : raw.slice(0, hash);
  const mark = full.indexOf('?');
  let hostname = target.hostname.toLowerCase();
  if (hostname.charCodeAt(0) === 91 /* [ */ && hostname.endsWith(']')) hostname = hostname.slice(1, -1);
  return {
    requests: {
      method: target.method,
      query: mark === -1 ? '' : full.slice(mark + 1),
      path: mark === -1 ? full : full.slice(0, mark),
      hostname,
      port: target.port ?? (target.scheme === 'https' ? 443 : 80),
      scheme: target.scheme,
    },
  };
}

/**
 * Opens the client span (named after the scheme) as a child of the current point of `profiler`,
 * in a view of its own so concurrent requests never share a stack, and stores it on `holder`.
 * Returns the signed headers of that span (the downstream service's parent is this span).
 */
export function startClientSpan(profiler: Profiler, holder: SpanHolder, target: RequestTarget): Record<string, string> {
  const span = new ScopedSpan(profiler, target.scheme, requestsInfo(target));
  holder[kClientSpan] = span;
  return runInProfiler(span.profiler, getTraceIdHeaders);
}

/** Stops the span of `holder` with the response status, once. */
export function stopWithStatus(holder: SpanHolder, statusCode: unknown): void {
  take(holder)?.stop({ requests: { status_code: statusCode } });
}

/**
 * Stops the span of `holder` with the error's etype/message, once.
 * why: beyond Python, whose requests hook emits no stop when the send raises; an open span
 * would read as "still running" in every report.
 */
export function stopWithError(holder: SpanHolder, error: unknown): void {
  take(holder)?.stop(errorInfo(error));
}

/** Stops the span of `holder`, once, for a request that closed with neither response nor error. */
export function stopAborted(holder: SpanHolder): void {
  take(holder)?.stop({ etype: 'RequestAborted', message: 'the request closed before a response arrived' });
}

function take(holder: SpanHolder | null | undefined): ScopedSpan | undefined {
  if (holder === null || typeof holder !== 'object') return undefined;
  const span = holder[kClientSpan];
  if (span === undefined || span === DONE) return undefined;
  holder[kClientSpan] = DONE;
  return span;
}

/** The scheme of a URL-ish protocol (`https:` → `https`); `http` when unknown. */
export function schemeOf(protocol: unknown): string {
  if (typeof protocol !== 'string' || protocol === '') return 'http';
  return protocol.endsWith(':') ? protocol.slice(0, -1).toLowerCase() : protocol.toLowerCase();
}

/**
 * How many startTrace() calls currently need a request hook. `hold()` counts one and returns its
 * release (idempotent); `changed` runs after each, so the hook subscribes or unsubscribes.
 */
export class HookHolds {
  #count = 0;
  readonly #changed: () => void;

  constructor(changed: () => void) {
    this.#changed = changed;
  }

  /** True while at least one hold is not released. */
  get active(): boolean {
    return this.#count > 0;
  }

  hold(): () => void {
    this.#count++;
    this.#changed();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#count--;
      this.#changed();
    };
  }
}
