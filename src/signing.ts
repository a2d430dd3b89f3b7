// HMAC-signed trace context: pack/unpack byte-compatible with Python OSProfiler's `_utils`.
import { isAscii } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
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
  return createHmac('sha1', hmacKey).update(data, 'utf8').digest('hex');
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
  // why: a genuine hmac is 40 ASCII hex digits; Python's compare_digest raises on non-ASCII
  // (an HTTP 500 there), and non-ASCII data always fails Python's base64 decoding. Both → null.
  if (expected === '' || !ASCII.test(expected) || !ASCII.test(data)) return null;
  const given = Buffer.from(expected, 'latin1');
  for (const key of keys) {
    // why: Python skips keys it cannot encode (None, lone surrogates) and tries the next one.
    if (typeof key !== 'string' || LONE_SURROGATE.test(key)) continue;
    const computed = Buffer.from(generateHmac(data, key), 'latin1');
    // why: constant-time comparison so a caller cannot find the hmac byte by byte from timings;
    // the length of a hex SHA-1 is public, so comparing lengths first leaks nothing.
    if (given.length === computed.length && timingSafeEqual(given, computed)) {
      const contents = decodeObject(data);
      if (contents === null) return null;
      contents.hmac_key = key;
      return contents as Record<string, unknown> & { hmac_key: string };
    }
  }
  return null;
}

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
  return text.length > MAX_SIGNED_VALUE_BYTES || Buffer.byteLength(text, 'utf8') > MAX_SIGNED_VALUE_BYTES;
}

const ASCII = /^[\x00-\x7f]*$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// Python's str.isspace() set: JS trim() misses U+001C..U+001F and U+0085, and wrongly adds U+FEFF.
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Python's `str.strip()` with no argument (Unicode whitespace plus U+001C..U+001F). */
export function pythonStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}

// why: fatal = Python's strict UTF-8; ignoreBOM keeps a BOM so that it is refused below. One
// instance serves every call: decode() without `stream` keeps no state between calls.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Canonical base64 (either alphabet, whole quads, correct padding), where Node's decoder and
// Python's lenient one agree byte for byte; everything else goes through the exact port.
const CANONICAL_B64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}==|[A-Za-z0-9+/_-]{3}=)?$/;

function decodeBase64(data: string): Uint8Array | null {
  // why: the headers every traced request carries are canonical; the native decoder is ~10x faster.
  return CANONICAL_B64.test(data) ? Buffer.from(data, 'base64') : pythonUrlsafeB64decode(data);
}

function decodeObject(data: string): Record<string, unknown> | null {
  const bytes = decodeBase64(data);
  if (bytes === null) return null;
  let text: string;
  try {
    // why: trace headers are ASCII JSON (Python escapes non-ASCII), and latin1 decoding of ASCII
    // is a plain copy; anything else gets the strict UTF-8 check.
    text = isAscii(bytes)
      ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
      : strictUtf8.decode(bytes);
  } catch {
    return null;
  }
  // why: Python's json.loads refuses a str starting with a BOM ("Unexpected UTF-8 BOM").
  if (text.charCodeAt(0) === 0xfeff) return null;
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
