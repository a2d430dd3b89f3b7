// Trace context inside messages: oslo.messaging's `trace_info` form, signed header form, and restoring either.
import { createHash, timingSafeEqual } from 'node:crypto';
import { webTraceState } from '../config/web-trace.js';
import { currentProfiler, runOutsideTrace } from '../core/context.js';
import { runWithProfiler } from '../core/current.js';
import { hasOnlyTraceContextKeys, type TraceContext } from '../core/trace-context.js';
import { MAX_TRACE_HEADER_BYTES, parseHmacKeys, readTraceHeaders, X_TRACE_HMAC, X_TRACE_INFO } from './headers.js';

export type { TraceContext };

/** Options of {@link withTraceInfo} and {@link readTraceInfo}. @since 0.1.0 */
export interface TraceInfoOptions {
  /**
   * When given (and non-empty), trace info is accepted only if its `hmac_key` is one of these keys
   * (`"k1,k2"` or a list). Without it any well-formed trace info is accepted, as Python does.
   */
  hmacKeys?: string | readonly string[];
}

/** Options of {@link withTraceHeaders}. @since 0.1.0 */
export interface TraceHeadersOptions {
  /**
   * Keys that may sign incoming trace headers. Default: the keys given to `enableWebTrace()` /
   * `initFromConf()` (`[profiler] hmac_keys`). No keys: nothing is ever restored.
   */
  hmacKeys?: string | readonly string[];
}

/** Key of the trace context inside an oslo.messaging message context (`_context_trace_info` on the wire). */
export const CONTEXT_TRACE_INFO_KEY = 'trace_info';

// why: ids end up in every notification and in SQL columns of 255 characters.
const MAX_ID_CHARS = 255;

/**
 * The current trace as `{hmac_key, base_id, parent_id}`: the dict Python services put in the RPC
 * context under `trace_info` (nova/neutron's context serializers), `parent_id` being the current
 * point's id. `hmac_key` is `''` when the profiler has none (Python would send None; its
 * `profiler.init` needs the key present). Undefined outside a trace. Never throws.
 *
 * NOTE: this form carries the HMAC key in the clear, exactly as Python does: whoever can read the
 * message learns the key, and whoever can publish can start traces. Use it only through a broker
 * you trust with the key; {@link withTraceHeaders} / `instrumentAmqp` sign instead.
 * @since 0.1.0
 */
export function serializeTraceInfo(): TraceContext | undefined {
  const profiler = currentProfiler();
  if (profiler === undefined) return undefined;
  return { hmac_key: profiler.hmacKey ?? '', base_id: profiler.getBaseId(), parent_id: profiler.getId() };
}

/**
 * Validates received trace info: a plain object with a non-empty string `base_id`, optional
 * string `parent_id` and `hmac_key` (null counts as absent) and no other keys (Python's
 * `profiler.init(**trace_info)` fails on others). With `hmacKeys`, its key must be one of them.
 * Returns the context or undefined. Never throws.
 * @since 0.1.0
 */
export function readTraceInfo(traceInfo: unknown, options?: TraceInfoOptions): TraceContext | undefined {
  try {
    if (traceInfo === null || typeof traceInfo !== 'object' || Array.isArray(traceInfo)) return undefined;
    const record = traceInfo as Record<string, unknown>;
    if (!hasOnlyTraceContextKeys(record)) return undefined;
    const { base_id: baseId, parent_id: parentId, hmac_key: hmacKey } = record;
    if (!isId(baseId)) return undefined;
    if (parentId !== undefined && parentId !== null && !isId(parentId)) return undefined;
    if (hmacKey !== undefined && hmacKey !== null && typeof hmacKey !== 'string') return undefined;
    const keys = options?.hmacKeys === undefined ? [] : parseHmacKeys(options.hmacKeys);
    if (keys.length > 0 && (typeof hmacKey !== 'string' || !knownKey(hmacKey, keys))) return undefined;
    const context: TraceContext = { base_id: baseId };
    if (typeof hmacKey === 'string') context.hmac_key = hmacKey;
    if (typeof parentId === 'string') context.parent_id = parentId;
    return context;
  } catch {
    return undefined;
  }
}

/**
 * Runs `fn` with a profiler restored from received trace info (as Python's context serializers
 * call `profiler.init(**trace_info)`), so its trace points join the sender's trace as children
 * of the sender's current point. Invalid or missing trace info is ignored: `fn` just runs. The
 * caller's context is untouched; errors from `fn` propagate unchanged.
 * @since 0.1.0
 */
export function withTraceInfo<R>(traceInfo: unknown, fn: () => R, options?: TraceInfoOptions): R {
  const context = readTraceInfo(traceInfo, options);
  return context === undefined ? fn() : runWithProfiler(context, fn);
}

/**
 * The signed form: `{'X-Trace-Info': packed {base_id, parent_id}, 'X-Trace-HMAC': hmac}` for the
 * current trace (the same values as HTTP's trace headers), or `{}` outside a trace or without a
 * key. Put them in message headers; the key itself never travels.
 * @since 0.1.0
 */
export { getTraceIdHeaders as traceHeaders } from './headers.js';

/**
 * Verifies trace headers received with a message (an object with `X-Trace-Info` and
 * `X-Trace-HMAC`, any case; values may be strings or UTF-8 bytes) against the receiver's keys.
 * Returns the context or null. Never throws.
 * @since 0.1.0
 */
export function readSignedTraceHeaders(headers: unknown, options?: TraceHeadersOptions): TraceContext | null {
  try {
    if (headers === null || typeof headers !== 'object') return null;
    const keys = receiverKeys(options?.hmacKeys);
    if (keys.length === 0) return null;
    const info = bytesToText((headers as Record<string, unknown>)[X_TRACE_INFO]);
    const hmac = bytesToText((headers as Record<string, unknown>)[X_TRACE_HMAC]);
    // why: AMQP tables may carry byte strings; readTraceHeaders wants text, looked up any case.
    const normalized =
      info !== undefined && hmac !== undefined ? { [X_TRACE_INFO]: info, [X_TRACE_HMAC]: hmac } : headers;
    return readTraceHeaders(normalized, keys);
  } catch {
    return null;
  }
}

/**
 * Runs `fn` in the trace named by signed trace headers when they verify with the receiver's keys
 * (see {@link readSignedTraceHeaders}); otherwise `fn` runs outside any trace, so work caused by
 * an untraced message never lands in an unrelated trace. Errors from `fn` propagate unchanged.
 * @since 0.1.0
 */
export function withTraceHeaders<R>(headers: unknown, fn: () => R, options?: TraceHeadersOptions): R {
  const context = readSignedTraceHeaders(headers, options);
  if (context !== null) return runWithProfiler(context, fn);
  return currentProfiler() === undefined ? fn() : runOutsideTrace(fn);
}

/** The keys a receiver verifies with: its own option, else the process-wide web-trace keys. */
export function receiverKeys(option: string | readonly string[] | undefined): readonly string[] {
  const own = option === undefined ? [] : parseHmacKeys(option);
  return own.length > 0 ? own : webTraceState().hmacKeys;
}

/**
 * True when `key` equals one of `keys`.
 * why: compared as SHA-256 digests with timingSafeEqual, so neither the key's bytes nor its
 * length can be found from response timings.
 */
export function knownKey(key: string, keys: readonly string[]): boolean {
  const given = createHash('sha256').update(key, 'utf8').digest();
  let found = false;
  for (const candidate of keys) {
    if (timingSafeEqual(given, createHash('sha256').update(candidate, 'utf8').digest())) found = true;
  }
  return found;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= MAX_ID_CHARS;
}

function bytesToText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array && value.byteLength <= MAX_TRACE_HEADER_BYTES) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  }
  return undefined;
}

const CONTEXT_FIELD = `_context_${CONTEXT_TRACE_INFO_KEY}`;
const CONTEXT_FIELD_BYTES = Buffer.from(CONTEXT_FIELD, 'utf8');
const ENVELOPE_VERSION = 'oslo.version';
const ENVELOPE_MESSAGE = 'oslo.message';

/**
 * A JSON message body (oslo.messaging's layout: a dict, or the `{"oslo.version", "oslo.message"}`
 * envelope around one) with `_context_trace_info` set to `traceInfo`, as oslo.messaging packs an
 * RPC context holding `trace_info`. Undefined when the body is not a JSON object (nothing to add
 * to). Never throws.
 * @since 0.1.0
 */
export function injectContextTraceInfo(body: Uint8Array, traceInfo: TraceContext): Buffer | undefined {
  try {
    const message = parseObject(body);
    if (message === undefined) return undefined;
    const inner = message[ENVELOPE_VERSION] !== undefined ? message[ENVELOPE_MESSAGE] : undefined;
    if (typeof inner === 'string') {
      const innerMessage = parseObject(Buffer.from(inner, 'utf8'));
      if (innerMessage === undefined) return undefined;
      innerMessage[CONTEXT_FIELD] = traceInfo;
      message[ENVELOPE_MESSAGE] = JSON.stringify(innerMessage);
    } else {
      message[CONTEXT_FIELD] = traceInfo;
    }
    return Buffer.from(JSON.stringify(message), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The `_context_trace_info` value of a JSON message body (plain or enveloped), unvalidated (pass
 * it to {@link withTraceInfo}); undefined when absent. Bodies without the field's name are not
 * parsed. Never throws.
 * @since 0.1.0
 */
export function extractContextTraceInfo(body: Uint8Array): unknown {
  try {
    // why: a byte search first, so untraced messages are never JSON-parsed here.
    if (Buffer.from(body.buffer, body.byteOffset, body.byteLength).indexOf(CONTEXT_FIELD_BYTES) === -1)
      return undefined;
    const message = parseObject(body);
    if (message === undefined) return undefined;
    if (Object.hasOwn(message, CONTEXT_FIELD)) return message[CONTEXT_FIELD];
    const inner = message[ENVELOPE_MESSAGE];
    if (typeof inner !== 'string') return undefined;
    return parseObject(Buffer.from(inner, 'utf8'))?.[CONTEXT_FIELD];
  } catch {
    return undefined;
  }
}

function parseObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
