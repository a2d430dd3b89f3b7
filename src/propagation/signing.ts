// HMAC-signed trace context: pack/unpack byte-compatible with Python OSProfiler's `_utils`.
import { isAscii } from 'node:buffer';
import { timingSafeEqual } from 'node:crypto';
import { hmacSha1Hex, hmacSha1Words } from './hmac-sha1.js';
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
  // why: what we compute is 40 lower-case hex digits, so anything else can never match (Python's
  // compare_digest returns False, or raises on non-ASCII: an HTTP 500 there): null, before any
  // HMAC is computed. (Non-ASCII data fails Python's base64 decoding: null too, in decodeObject.)
  if (!hexDigestInto(pythonStrip(hmac), givenDigest)) return null;
  // why: an index, not for-of: V8 kept the array iterator of for-of here (40 bytes a request).
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    // why: Python skips keys it cannot encode (None, lone surrogates) and tries the next one.
    if (typeof key !== 'string' || !encodableKey(key)) continue;
    hmacSha1Words(data, key, computedDigest);
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

// why: preallocated, so a verification allocates nothing; only used synchronously. SHA-1's five
// words each (the digest's bytes read big-endian), compared as 20 bytes.
const givenDigest = new Int32Array(5);
const computedDigest = new Int32Array(5);

// The value of each lower-case hex digit; -1 for every other character below 128.
const HEX_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUES['0123456789abcdef'.charCodeAt(i)] = i;

/**
 * Writes the five 32-bit words that 40 lower-case hex digits spell into `out`; false (out
 * unspecified) for any other text. why: one pass instead of a regex test plus a copy of the text.
 */
function hexDigestInto(text: string, out: Int32Array): boolean {
  if (text.length !== 40) return false;
  let bad = 0;
  let word = 0;
  for (let i = 0; i < 20; i++) {
    const high = text.charCodeAt(2 * i);
    const low = text.charCodeAt(2 * i + 1);
    const h = HEX_VALUES[high & 0x7f]!;
    const l = HEX_VALUES[low & 0x7f]!;
    // why: a code unit of 128 or more, or a non-digit (-1), leaves a bit set in `bad`.
    bad |= ((high | low) >> 7) | ((h | l) >> 4);
    word = (word << 8) | (h << 4) | l;
    if ((i & 3) === 3) out[i >> 2] = word;
  }
  return bad === 0;
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
  // why: a UTF-16 code unit takes at most 3 UTF-8 bytes, so short values need no byte count.
  if (text.length * 3 <= MAX_SIGNED_VALUE_BYTES) return false;
  return text.length > MAX_SIGNED_VALUE_BYTES || Buffer.byteLength(text, 'utf8') > MAX_SIGNED_VALUE_BYTES;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// why: the key list is the same few strings on every request; the last key found encodable
// needs no second regex test (one pointer compare when it is the same string).
let lastEncodableKey: string | undefined;

/** True when `key` has no lone surrogate, i.e. Python can encode it as UTF-8. */
function encodableKey(key: string): boolean {
  if (key === lastEncodableKey) return true;
  if (LONE_SURROGATE.test(key)) return false;
  lastEncodableKey = key;
  return true;
}

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
  let text: string | null;
  try {
    const length = canonicalBase64Length(data);
    if (length >= 0 && decodeScratch.write(data, 0, length, 'base64') === length) {
      // why: latin1 turns each byte into one character, so this text is the bytes themselves.
      const bytesAsText = decodeScratch.toString('latin1', 0, length);
      const context = pythonContextObject(bytesAsText);
      if (context !== undefined) return context;
      text = bytesToText(decodeScratch.subarray(0, length));
    } else {
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

// `{"base_id": "…", "parent_id": "…"}` whose values are printable ASCII without `"` or `\`.
const PLAIN_CONTEXT = /^\{"base_id": "[\x20\x21\x23-\x5b\x5d-\x7e]*", "parent_id": "[\x20\x21\x23-\x5b\x5d-\x7e]*"\}$/;
const BASE_START = '{"base_id": "'.length;
const BETWEEN = '", "parent_id": "';
const PARENT_END = -'"}'.length;

/**
 * `JSON.parse(text)` for the one text every Python or Node caller sends, `{"base_id": "…",
 * "parent_id": "…"}` (Python's `json.dumps` layout) with plain ASCII string values, plus an empty
 * `hmac_key` that unpacking fills in; undefined for any other text, which then goes to the strict
 * UTF-8 decoding and JSON.parse.
 * why: every traced request parses one; one regex test and two slices cost a fraction of
 * JSON.parse and give the same object, since an ASCII string without quotes, backslashes or
 * control characters means its raw text (and ASCII bytes are their own UTF-8).
 */
function pythonContextObject(text: string): Record<string, unknown> | undefined {
  if (!PLAIN_CONTEXT.test(text)) return undefined;
  // why: base_id holds no quote, so the first '", "parent_id": "' is the one between the values.
  const between = text.indexOf(BETWEEN, BASE_START);
  const baseId = text.slice(BASE_START, between);
  const parentId = text.slice(between + BETWEEN.length, PARENT_END);
  // why: the slot for the hmac_key that unpacking adds is made here, so adding it changes nothing
  // of the object's layout (V8 would otherwise grow it, and slow every later read of its keys).
  return { base_id: baseId, parent_id: parentId, hmac_key: '' };
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
 * The number of bytes `data` decodes to if it is canonical base64 (either alphabet, or both mixed;
 * whole quads; at most two `=` and only at the end), where Python's lenient decoder and Node's
 * agree byte for byte; -1 for input that cannot be (not whole quads, or too long).
 * The characters are checked by the decoding itself: Node's decoder skips a character outside
 * both alphabets and stops at a `=` before the end, and each skipped character leaves fewer
 * bytes than this count, so exactly this many bytes written means the input was canonical; any
 * other input goes through the exact port.
 * why: every traced request decodes one; a regex over its characters cost ~130 ns on Node 20,
 * about as much as the native decoding itself.
 */
function canonicalBase64Length(data: string): number {
  const length = data.length;
  if ((length & 3) !== 0 || length > MAX_SIGNED_VALUE_BYTES) return -1;
  const pads = data.charCodeAt(length - 1) !== 0x3d /* = */ ? 0 : data.charCodeAt(length - 2) !== 0x3d ? 1 : 2;
  return (length >> 2) * 3 - pads;
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
