// HMAC-signed trace context: pack/unpack byte-compatible with Python OSProfiler's `_utils`.
import { isAscii } from 'node:buffer';
import { timingSafeEqual } from 'node:crypto';
import { hmacSha1Hex } from './hmac-sha1.js';
import { pythonJsonDumps } from './python-json.js';

/**
 * Values longer than this (data or hmac, in bytes) are refused before any work is done.
 * why: beyond Python, which has no limit; an unauthenticated caller must not make us HMAC and
 * decode arbitrarily large input. A real trace context is about 140 bytes.
 */
export const MAX_SIGNED_VALUE_BYTES = 8192;

/**
 * The lower-case hex HMAC-SHA1 of `data` (UTF-8) under `hmacKey` (UTF-8); an empty key is valid.
 * @since 0.1.0
 */
export function generateHmac(data: string, hmacKey: string): string {
  return hmacSha1Hex(data, hmacKey);
}

/**
 * Packs `data` as URL-safe base64 (with `=` padding) of its Python `json.dumps` text, and signs
 * that text. With no key (`null`, `undefined` or `''`) the hmac is `null`: nothing is signed.
 * Throws a TypeError only for circular data.
 * @since 0.1.0
 */
export function signedPack(
  data: Record<string, unknown>,
  hmacKey: string | null | undefined,
): [packed: string, hmac: string | null] {
  const json = pythonJsonDumps(data);
  const packed = Buffer.from(json, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  return [packed, hmacKey ? generateHmac(packed, hmacKey) : null];
}

/**
 * Verifies `hmac` over `data` with each of `hmacKeys` in order and, on the first match, decodes
 * `data` into its JSON object plus `hmac_key` (the matching key, overwriting any sent one).
 * Returns null when anything is missing, empty, oversized, unsigned, or not a base64 UTF-8 JSON
 * object. Never throws, whatever the input.
 * @since 0.1.0
 */
export function signedUnpack(
  data: unknown,
  hmac: unknown,
  hmacKeys: unknown,
): (Record<string, unknown> & { hmac_key: string }) | null {
  try {
    return unpack(data, hmac, hmacKeys);
  } catch {
    return null;
  }
}

function unpack(
  data: unknown,
  hmac: unknown,
  hmacKeys: unknown,
): (Record<string, unknown> & { hmac_key: string }) | null {
  if (typeof data !== 'string' || typeof hmac !== 'string') return null;
  if (data === '' || hmac === '' || oversized(data) || oversized(hmac)) return null;
  const keys = keyList(hmacKeys);
  if (keys.length === 0) return null;
  const expected = pythonStrip(hmac);
  // why: what we compute is 40 lower-case hex digits, so anything else can never match (Python's
  // compare_digest returns False, or raises on non-ASCII: an HTTP 500 there): null, before any
  // HMAC is computed. (Non-ASCII data fails Python's base64 decoding: null too, in decodeObject.)
  if (!HEX_SHA1.test(expected)) return null;
  givenDigest.write(expected, 0, HEX_SHA1_LENGTH, 'latin1');
  for (const key of keys) {
    // why: Python skips keys it cannot encode (None, lone surrogates) and tries the next one.
    if (typeof key !== 'string' || LONE_SURROGATE.test(key)) continue;
    computedDigest.write(generateHmac(data, key), 0, HEX_SHA1_LENGTH, 'latin1');
    // why: constant-time comparison so a caller cannot find the hmac byte by byte from timings.
    if (timingSafeEqual(givenDigest, computedDigest)) {
      const contents = decodeObject(data);
      if (contents === null) return null;
      contents.hmac_key = key;
      return contents as Record<string, unknown> & { hmac_key: string };
    }
  }
  return null;
}

const HEX_SHA1_LENGTH = 40;
const HEX_SHA1 = /^[0-9a-f]{40}$/;
// why: preallocated, so a verification allocates no Buffers; only used synchronously.
const givenDigest = Buffer.alloc(HEX_SHA1_LENGTH);
const computedDigest = Buffer.alloc(HEX_SHA1_LENGTH);

// why: Python iterates whatever it is given: a list, a tuple, or a plain string per character.
function keyList(hmacKeys: unknown): unknown[] {
  if (typeof hmacKeys === 'string') return Array.from(hmacKeys);
  if (Array.isArray(hmacKeys)) return hmacKeys;
  if (hmacKeys !== null && typeof hmacKeys === 'object' && Symbol.iterator in hmacKeys) {
    return Array.from(hmacKeys as Iterable<unknown>);
  }
  return [];
}

function oversized(text: string): boolean {
  // why: a UTF-16 code unit takes at most 3 UTF-8 bytes, so short values need no byte count.
  if (text.length * 3 <= MAX_SIGNED_VALUE_BYTES) return false;
  return text.length > MAX_SIGNED_VALUE_BYTES || Buffer.byteLength(text, 'utf8') > MAX_SIGNED_VALUE_BYTES;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// Python's str.isspace() set: JS trim() misses U+001C..U+001F and U+0085, and wrongly adds U+FEFF.
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Python's `str.strip()` with no argument (Unicode whitespace plus U+001C..U+001F). */
export function pythonStrip(text: string): string {
  // why: the common case, printable ASCII at both ends, needs no regex.
  if (isPrintableAscii(text.charCodeAt(0)) && isPrintableAscii(text.charCodeAt(text.length - 1))) return text;
  return text.replace(PY_STRIP, '');
}

function isPrintableAscii(code: number): boolean {
  return code > 0x20 && code < 0x7f;
}

// why: fatal = Python's strict UTF-8; ignoreBOM keeps a BOM so that it is refused below. One
// instance serves every call: decode() without `stream` keeps no state between calls.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeObject(data: string): Record<string, unknown> | null {
  let text: string | null | undefined;
  try {
    text = decodeCanonicalBase64(data);
    if (text === undefined) {
      const bytes = pythonUrlsafeB64decode(data);
      if (bytes === null) return null;
      text = bytesToText(bytes);
    }
  } catch {
    return null;
  }
  if (text === null) return null;
  // why: Python's json.loads refuses a str starting with a BOM ("Unexpected UTF-8 BOM").
  if (text.charCodeAt(0) === 0xfeff) return null;
  const context = pythonContextObject(text);
  if (context !== undefined) return context;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Also where Python would accept NaN/Infinity: the port refuses them (fixture port_result).
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return value as Record<string, unknown>;
}

const CONTEXT_HEAD = '{"base_id": "';
const CONTEXT_MIDDLE = '", "parent_id": "';
const CONTEXT_TAIL = '"}';
// Characters that would make a JSON string literal mean something other than its raw text.
const NOT_LITERAL = /["\\\x00-\x1f]/;

/**
 * `JSON.parse(text)` for the one text every Python or Node caller sends, `{"base_id": "…",
 * "parent_id": "…"}` (Python's `json.dumps` layout) with plain string values; undefined for any
 * other text, which then goes to JSON.parse.
 * why: every traced request parses one; slicing the two values out is ~3x cheaper than JSON.parse
 * and gives the same object, since a string without quotes, backslashes or control characters
 * means its raw text.
 */
function pythonContextObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith(CONTEXT_HEAD) || !text.endsWith(CONTEXT_TAIL)) return undefined;
  const middle = text.indexOf(CONTEXT_MIDDLE, CONTEXT_HEAD.length);
  const parentStart = middle + CONTEXT_MIDDLE.length;
  const parentEnd = text.length - CONTEXT_TAIL.length;
  // why: in `…"parent_id": "}` the middle's last quote is also the tail's first: not this shape.
  if (middle === -1 || parentStart > parentEnd) return undefined;
  const baseId = text.slice(CONTEXT_HEAD.length, middle);
  const parentId = text.slice(parentStart, parentEnd);
  // why: the first '", "parent_id": "' ends base_id only if base_id holds no quote; neither value
  // may hold one, nor an escape or a control character.
  if (NOT_LITERAL.test(baseId) || NOT_LITERAL.test(parentId)) return undefined;
  return { base_id: baseId, parent_id: parentId };
}

/**
 * Strict UTF-8 text of `bytes`, or null when they are not valid UTF-8 (Python's strict decoding).
 * why: trace headers are ASCII JSON (Python escapes non-ASCII), and latin1 decoding of ASCII is a
 * plain copy; anything else gets the strict UTF-8 check.
 */
function bytesToText(bytes: Uint8Array): string | null {
  try {
    return isAscii(bytes)
      ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
      : strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

// why: decoded into one preallocated buffer (values are at most MAX_SIGNED_VALUE_BYTES long), so
// the canonical path allocates nothing but the resulting string.
const decodeScratch = Buffer.alloc(Math.ceil(MAX_SIGNED_VALUE_BYTES / 4) * 3);

/**
 * The decoded text of canonical base64 (either alphabet, whole quads, correct `=` padding), where
 * Python's lenient decoder and a strict one agree byte for byte; undefined for any other input,
 * which then goes through the exact port; null when the bytes are not UTF-8.
 * why: every traced request decodes one; checking and decoding in one pass over the characters
 * costs about as much as the former canonical-form regex alone.
 */
function decodeCanonicalBase64(data: string): string | null | undefined {
  const length = data.length;
  if ((length & 3) !== 0 || length > MAX_SIGNED_VALUE_BYTES) return undefined;
  let end = length;
  if (data.charCodeAt(end - 1) === 0x3d /* = */) end -= data.charCodeAt(end - 2) === 0x3d ? 2 : 1;
  let out = 0;
  let high = 0;
  let i = 0;
  for (; i + 4 <= end; i += 4) {
    const a = b64Value(data, i);
    const b = b64Value(data, i + 1);
    const c = b64Value(data, i + 2);
    const d = b64Value(data, i + 3);
    if ((a | b | c | d) < 0) return undefined;
    const word = (a << 18) | (b << 12) | (c << 6) | d;
    decodeScratch[out++] = word >> 16;
    decodeScratch[out++] = (word >> 8) & 0xff;
    decodeScratch[out++] = word & 0xff;
    high |= word;
  }
  const rest = end - i;
  if (rest === 2 || rest === 3) {
    const a = b64Value(data, i);
    const b = b64Value(data, i + 1);
    const c = rest === 3 ? b64Value(data, i + 2) : 0;
    if ((a | b | c) < 0) return undefined;
    const word = (a << 18) | (b << 12) | (c << 6);
    decodeScratch[out++] = word >> 16;
    if (rest === 3) decodeScratch[out++] = (word >> 8) & 0xff;
    high |= word & (rest === 3 ? 0xffff00 : 0xff0000);
  } else if (rest !== 0) {
    return undefined;
  }
  // why: 0x808080 tests the top bit of each of the three bytes a quad yields: all ASCII or not.
  if ((high & 0x808080) === 0) return decodeScratch.toString('latin1', 0, out);
  return bytesToText(decodeScratch.subarray(0, out));
}

function b64Value(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? B64_VALUES[code]! : -1;
}

const B64_VALUES = new Int8Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  .split('')
  .forEach((ch, i) => (B64_VALUES[ch.charCodeAt(0)] = i));
// urlsafe_b64decode maps '-_' onto '+/' first, so both alphabets decode.
B64_VALUES['-'.charCodeAt(0)] = 62;
B64_VALUES['_'.charCodeAt(0)] = 63;

/**
 * Python's lenient `base64.urlsafe_b64decode` of an ASCII string: characters outside both
 * alphabets are skipped, decoding stops at the first complete padding (anything after it is
 * ignored), and a final incomplete group without its `=` padding is an error (null).
 * why: Node's Buffer.from(…, 'base64url') accepts unpadded input, which Python refuses.
 */
export function pythonUrlsafeB64decode(text: string): Uint8Array | null {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4) + 3);
  let length = 0;
  let quadPos = 0;
  let pads = 0;
  let left = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return null;
    if (code === 0x3d /* '=' */) {
      // A pad only counts once two data characters of the group are in; enough pads end input.
      if (quadPos >= 2 && quadPos + ++pads >= 4) return out.subarray(0, length);
      continue;
    }
    const v = B64_VALUES[code];
    if (v < 0) continue;
    pads = 0;
    switch (quadPos) {
      case 0:
        left = v;
        quadPos = 1;
        break;
      case 1:
        out[length++] = (left << 2) | (v >> 4);
        left = v & 0x0f;
        quadPos = 2;
        break;
      case 2:
        out[length++] = (left << 4) | (v >> 2);
        left = v & 0x03;
        quadPos = 3;
        break;
      default:
        out[length++] = (left << 6) | v;
        quadPos = 0;
    }
  }
  return quadPos === 0 ? out.subarray(0, length) : null;
}
