// HMAC-SHA1 (RFC 2104) of ASCII messages in JavaScript, from each key's pads hashed once.
import { createHmac } from 'node:crypto';
import { SHA1_INITIAL, sha1Block } from './sha1-block.js';

/** SHA-1's chaining value after a key's inner pad block, and after its outer pad block. */
interface KeyStates {
  readonly inner: Int32Array;
  readonly outer: Int32Array;
}

const BLOCK = 64;
const DIGEST = 20;
// why: longer messages (never a trace header, which is refused beyond 8 KiB) take createHmac, so
// every bit length here fits the last word of the final block.
const MAX_MESSAGE_UNITS = 1 << 16;

// why: services verify with the handful of keys in their config; the bound keeps a caller-chosen
// key stream (signing with per-trace keys) from growing the cache without limit.
const statesCache = new Map<string, KeyStates | null>();
const STATES_CACHE_LIMIT = 64;

// why: preallocated and only used synchronously, so an HMAC allocates nothing.
const state = new Int32Array(5);
const words = new Int32Array(16);
const hexScratch = Buffer.alloc(DIGEST);

/**
 * The lower-case hex HMAC-SHA1 of `data` (UTF-8) under `key` (UTF-8), equal to
 * `createHmac('sha1', key).update(data, 'utf8').digest('hex')`.
 */
export function hmacSha1Hex(data: string, key: string): string {
  hmacSha1Into(data, key, hexScratch);
  return hexScratch.toString('hex');
}

/**
 * Writes the 20-byte HMAC-SHA1 of `data` (UTF-8) under `key` (UTF-8) into `out`.
 * why: every traced request verifies one. `createHmac` spends most of its ~2–5 µs (Node 20)
 * building the Hmac object and setting the key up, and even two one-shot `crypto.hash` calls
 * cost ~300 ns each in fixed overhead; here the pads' chaining values are computed once per key
 * and a 140-character header takes four SHA-1 blocks in JavaScript (~0.5 µs in all, about half
 * of the two `crypto.hash` calls). Messages that are not ASCII, and keys that are not ASCII or
 * are longer than one block, take `createHmac`.
 */
export function hmacSha1Into(data: string, key: string, out: Buffer): void {
  const states = statesOf(key);
  if (states === null || data.length > MAX_MESSAGE_UNITS || !hashAsciiAfter(states.inner, data)) {
    createHmac('sha1', key).update(data, 'utf8').digest().copy(out, 0, 0, DIGEST);
    return;
  }
  // The outer hash: the outer pad's chaining value, then one block of the inner digest and padding.
  for (let i = 0; i < 5; i++) words[i] = state[i]!;
  words.fill(0, 5, 15);
  words[5] = 0x80000000 | 0;
  words[15] = (BLOCK + DIGEST) * 8;
  state.set(states.outer);
  sha1Block(state, words);
  for (let i = 0; i < 5; i++) out.writeInt32BE(state[i]!, 4 * i);
}

/**
 * Continues SHA-1 from `initial` (after one 64-byte block) over `data`'s characters as bytes and
 * finishes it (padding, bit length), leaving the digest in `state`. False when `data` is not
 * ASCII (its UTF-8 would differ from those bytes); `state` is then meaningless.
 */
function hashAsciiAfter(initial: Int32Array, data: string): boolean {
  state.set(initial);
  const length = data.length;
  let seen = 0;
  let at = 0;
  for (; at + BLOCK <= length; at += BLOCK) {
    seen |= loadWords(data, at, 16);
    sha1Block(state, words);
  }
  // The final block(s): the remaining characters, the 0x80 byte, zeros, the message's bit length.
  const whole = (length - at) >> 2;
  seen |= loadWords(data, at, whole);
  let last = 0;
  for (let k = at + 4 * whole; k < length; k++) {
    const code = data.charCodeAt(k);
    seen |= code;
    last = (last << 8) | code;
  }
  words[whole] = ((last << 8) | 0x80) << (8 * (3 - (length - at - 4 * whole)));
  words.fill(0, whole + 1);
  if (whole >= 14) {
    // why: no room left for the 64-bit length in this block: it goes in one more.
    sha1Block(state, words);
    words.fill(0);
  }
  words[15] = (BLOCK + length) * 8;
  sha1Block(state, words);
  return (seen & ~0x7f) === 0;
}

/** Loads `count` big-endian words from `data`'s characters at `at`; returns their codes OR'd. */
function loadWords(data: string, at: number, count: number): number {
  let seen = 0;
  for (let t = 0; t < count; t++) {
    const i = at + 4 * t;
    const c0 = data.charCodeAt(i);
    const c1 = data.charCodeAt(i + 1);
    const c2 = data.charCodeAt(i + 2);
    const c3 = data.charCodeAt(i + 3);
    seen |= c0 | c1 | c2 | c3;
    words[t] = (c0 << 24) | (c1 << 16) | (c2 << 8) | c3;
  }
  return seen;
}

function statesOf(key: string): KeyStates | null {
  let states = statesCache.get(key);
  if (states === undefined) {
    states = computeStates(key);
    if (statesCache.size < STATES_CACHE_LIMIT) statesCache.set(key, states);
  }
  return states;
}

function computeStates(key: string): KeyStates | null {
  if (key.length > BLOCK || !/^[\x00-\x7f]*$/.test(key)) return null;
  return { inner: padState(key, 0x36), outer: padState(key, 0x5c) };
}

/** SHA-1's chaining value after the one block `key` (zero-filled) XOR `pad`. */
function padState(key: string, pad: number): Int32Array {
  const block = new Int32Array(16);
  for (let i = 0; i < BLOCK; i++) {
    const byte = (i < key.length ? key.charCodeAt(i) : 0) ^ pad;
    block[i >> 2]! |= byte << (24 - 8 * (i & 3));
  }
  const chaining = Int32Array.from(SHA1_INITIAL);
  sha1Block(chaining, block);
  return chaining;
}
