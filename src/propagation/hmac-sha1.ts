// HMAC-SHA1 (RFC 2104) as two one-shot SHA-1 hashes, with each key's pads prepared once.
import { createHmac, hash } from 'node:crypto';

/**
 * One key's HMAC pads: the inner pad as a string that UTF-8-encodes to its own bytes, and the outer
 * pad with 20 bytes of room after it for the inner digest.
 */
interface KeyPads {
  readonly inner: string;
  readonly outer: Buffer;
}

const BLOCK = 64;
const DIGEST = 20;

// why: services verify with the handful of keys in their config; the bound keeps a caller-chosen
// key stream (signing with per-trace keys) from growing the cache without limit.
const padsCache = new Map<string, KeyPads | null>();
const PADS_CACHE_LIMIT = 64;

/**
 * The lower-case hex HMAC-SHA1 of `data` (UTF-8) under `key` (UTF-8), equal to
 * `createHmac('sha1', key).update(data, 'utf8').digest('hex')`.
 * why: on Node 20 `createHmac` spends most of its ~2–5 µs building the Hmac object and setting the
 * key up; every traced request verifies one. Two one-shot `crypto.hash` calls with the key's pads
 * computed once cost about a third of that. Keys that are not ASCII or longer than one block
 * (their pads would not be ASCII) take `createHmac`.
 */
export function hmacSha1Hex(data: string, key: string): string {
  const pads = padsOf(key);
  if (pads === null) return createHmac('sha1', key).update(data, 'utf8').digest('hex');
  // why: the inner pad is ASCII, so the concatenation UTF-8-encodes to pad bytes ‖ UTF-8(data).
  const innerDigest = hash('sha1', pads.inner + data, 'binary');
  pads.outer.write(innerDigest, BLOCK, DIGEST, 'binary');
  return hash('sha1', pads.outer, 'hex');
}

function padsOf(key: string): KeyPads | null {
  let pads = padsCache.get(key);
  if (pads === undefined) {
    pads = computePads(key);
    if (padsCache.size < PADS_CACHE_LIMIT) padsCache.set(key, pads);
  }
  return pads;
}

function computePads(key: string): KeyPads | null {
  if (key.length > BLOCK || !/^[\x00-\x7f]*$/.test(key)) return null;
  let inner = '';
  const outer = Buffer.alloc(BLOCK + DIGEST);
  for (let i = 0; i < BLOCK; i++) {
    const byte = i < key.length ? key.charCodeAt(i) : 0;
    inner += String.fromCharCode(byte ^ 0x36);
    outer[i] = byte ^ 0x5c;
  }
  return { inner, outer };
}
