// The X-Trace-Info / X-Trace-HMAC headers: signing the outgoing context, verifying an incoming one.
import { currentProfiler } from '../core/context.js';
import { hasOnlyTraceContextKeys, type VerifiedTraceContext } from '../core/trace-context.js';
import { MAX_SIGNED_VALUE_BYTES, pythonStrip, signedPack, signedUnpack } from './signing.js';

/** Header carrying the packed `{base_id, parent_id}` (Python `web.X_TRACE_INFO`). @since 0.1.0 */
export const X_TRACE_INFO = 'X-Trace-Info';
/** Header carrying the HMAC of `X-Trace-Info` (Python `web.X_TRACE_HMAC`). @since 0.1.0 */
export const X_TRACE_HMAC = 'X-Trace-HMAC';
/** Incoming header values longer than this are refused before any decoding (beyond Python). */
export const MAX_TRACE_HEADER_BYTES = MAX_SIGNED_VALUE_BYTES;

/**
 * Headers that carry the current trace to a downstream service: `X-Trace-Info` (packed
 * `{base_id, parent_id: <current span id>}`) and `X-Trace-HMAC`. `{}` when no profiler is active
 * or it has no (or an empty) key. Never throws.
 * @since 0.1.0
 */
export function getTraceIdHeaders(): Record<string, string> {
  const profiler = currentProfiler();
  if (profiler === undefined || !profiler.hmacKey) return {};
  try {
    const [packed, hmac] = signedPack({ base_id: profiler.getBaseId(), parent_id: profiler.getId() }, profiler.hmacKey);
    return hmac === null ? {} : { [X_TRACE_INFO]: packed, [X_TRACE_HMAC]: hmac };
  } catch {
    return {};
  }
}

/**
 * Reads and verifies the trace headers of an incoming request. `headers` may be Node's
 * `IncomingHttpHeaders` (lower-case keys, string or string[] values), a WHATWG `Headers`, or a
 * plain object with keys in any case. Returns the trace context when the signature matches one of
 * `hmacKeys` and the signed object holds `base_id`, optionally `parent_id`, and nothing else;
 * otherwise null (also for oversized values and input of any other type). Never throws.
 * @since 0.1.0
 */
export function readTraceHeaders(headers: unknown, hmacKeys: readonly string[]): VerifiedTraceContext | null {
  try {
    if (!Array.isArray(hmacKeys) || hmacKeys.length === 0) return null;
    const info = headerValue(headers, X_TRACE_INFO);
    if (info === undefined) return null;
    const hmac = headerValue(headers, X_TRACE_HMAC);
    if (hmac === undefined) return null;
    return accept(signedUnpack(info, hmac, hmacKeys));
  } catch {
    return null;
  }
}

/**
 * `readTraceHeaders` for Node's `IncomingHttpHeaders` (lower-case keys, as node:http parses them),
 * without the lookup that accepts any header container. Same result, never throws.
 * why: every traced request of the web entry points goes through here.
 */
export function readIncomingTraceHeaders(
  headers: Record<string, string | string[] | undefined>,
  hmacKeys: readonly string[],
): VerifiedTraceContext | null {
  try {
    const info = singleValue(headers['x-trace-info']);
    const hmac = singleValue(headers['x-trace-hmac']);
    if (info === undefined || hmac === undefined || hmacKeys.length === 0) return null;
    return accept(signedUnpack(info, hmac, hmacKeys));
  } catch {
    return null;
  }
}

/**
 * The one HMAC key-list parser (Python's `_utils.split`): comma-separated text is split and each
 * part stripped as Python's `str.strip()` does, empties dropped; an array is taken as it is (Python
 * returns a list unchanged), minus non-strings and blank keys.
 * why: an empty or blank key would accept signatures anyone can make, so it is never a key, whatever the source.
 */
export function parseHmacKeys(value: string | readonly unknown[] | null | undefined): string[] {
  if (Array.isArray(value)) return value.filter((k): k is string => typeof k === 'string' && pythonStrip(k) !== '');
  if (typeof value !== 'string') return [];
  const keys: string[] = [];
  for (const part of value.split(',')) {
    const key = pythonStrip(part);
    if (key !== '') keys.push(key);
  }
  return keys;
}

// why: the same rule as Python's middleware — the signed object may hold base_id, parent_id and
// the hmac_key added by unpacking, nothing else — plus (beyond Python) both ids must be strings,
// since they end up as ids in every notification of the trace.
function accept(contents: Record<string, unknown> | null): VerifiedTraceContext | null {
  if (contents === null) return null;
  const { base_id: baseId, parent_id: parentId, hmac_key: hmacKey } = contents;
  if (!hasOnlyTraceContextKeys(contents)) return null;
  if (typeof baseId !== 'string' || typeof hmacKey !== 'string') return null;
  if (!('parent_id' in contents)) return { base_id: baseId, hmac_key: hmacKey };
  if (typeof parentId !== 'string') return null;
  return { base_id: baseId, parent_id: parentId, hmac_key: hmacKey };
}

/** One header's single string value, looked up case-insensitively; undefined if absent or unusable. */
function headerValue(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return undefined;
  const lower = name.toLowerCase();
  let raw: unknown;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    // WHATWG Headers (its get() is case-insensitive) or a Map-like object.
    raw = get.call(headers, lower) ?? get.call(headers, name);
  } else {
    const record = headers as Record<string, unknown>;
    // why: Node's IncomingHttpHeaders keys are already lower-case: one own-property read.
    raw = Object.hasOwn(record, lower) ? record[lower] : undefined;
    if (raw === undefined) {
      for (const key of Object.keys(record)) {
        if (key.length === lower.length && key.toLowerCase() === lower) {
          raw = record[key];
          break;
        }
      }
    }
  }
  return singleValue(raw);
}

/** A header's value when it is one string within the size limit; undefined otherwise. */
function singleValue(raw: unknown): string | undefined {
  // why: a repeated header cannot be a valid context; one-element arrays come from frameworks
  // that always hand out lists.
  if (Array.isArray(raw)) raw = raw.length === 1 ? raw[0] : undefined;
  if (typeof raw !== 'string' || raw.length > MAX_TRACE_HEADER_BYTES) return undefined;
  return raw;
}
