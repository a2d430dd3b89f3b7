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
// why: longer messages (never a trace header, which is refused beyond 8 KiB) take createHmac.
const MAX_MESSAGE_UNITS = 8192;

// why: services verify with the handful of keys in their config; the bound keeps a caller-chosen
// key stream (signing with per-trace keys) from growing the cache without limit.
const statesCache = new Map<string, KeyStates | null>();
const STATES_CACHE_LIMIT = 64;

// why: preallocated and only used synchronously, so an HMAC allocates nothing. The message buffer
// has room for the UTF-8 of any message taken here (3 bytes a code unit at most) and its padding.
const message = Buffer.alloc(3 * MAX_MESSAGE_UNITS + 2 * BLOCK);
const messageView = new DataView(message.buffer, message.byteOffset, message.byteLength);
// why: a plain Uint8Array's fill is V8's builtin; Buffer's goes through Node's argument checks first.
const messageBytes = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
const outerBlock = new DataView(new ArrayBuffer(BLOCK));
const state = new Int32Array(5);
const hexWords = new Int32Array(5);
const hexScratch = Buffer.alloc(DIGEST);

/**
 * The lower-case hex HMAC-SHA1 of `data` (UTF-8) under `key` (UTF-8), equal to
 * `createHmac('sha1', key).update(data, 'utf8').digest('hex')`.
 */
export function hmacSha1Hex(data: string, key: string): string {
  hmacSha1Words(data, key, hexWords);
  for (let i = 0; i < 5; i++) hexScratch.writeInt32BE(hexWords[i]!, 4 * i);
  return hexScratch.toString('hex');
}

/**
 * Writes the HMAC-SHA1 of `data` (UTF-8) under `key` (UTF-8) into `out` as SHA-1's five 32-bit
 * words (the digest's bytes read big-endian, as int32 values).
 * why: every traced request verifies one. `createHmac` spends most of its ~2–5 µs (Node 20)
 * building the Hmac object and setting the key up, and even two one-shot `crypto.hash` calls
 * cost ~300 ns each in fixed overhead; here the pads' chaining values are computed once per key
 * and a 140-character header takes four SHA-1 blocks in JavaScript (~0.5 µs in all, about half
 * of the two `crypto.hash` calls). The words are compared as they are (no bytes written out).
 * Messages that are not ASCII, and keys that are not ASCII or are longer than one block, take
 * `createHmac`.
 */
export function hmacSha1Words(data: string, key: string, out: Int32Array): void {
  const states = statesOf(key);
  if (states === null || data.length > MAX_MESSAGE_UNITS || !innerHash(states.inner, data)) {
    const digest = createHmac('sha1', key).update(data, 'utf8').digest();
    for (let i = 0; i < 5; i++) out[i] = digest.readInt32BE(4 * i);
    return;
  }
  // The outer hash: from the outer pad's chaining value, one block of the inner digest, padded.
  for (let i = 0; i < 5; i++) outerBlock.setInt32(4 * i, state[i]!);
  outerBlock.setInt32(4 * 5, 0x80000000 | 0);
  outerBlock.setInt32(BLOCK - 4, (BLOCK + DIGEST) * 8);
  out.set(states.outer);
  sha1Block(out, outerBlock, 0);
}

/**
 * SHA-1 from `initial` (the chaining value after one 64-byte block) over `data`'s UTF-8 bytes,
 * padded, leaving the digest in `state`. False, with nothing hashed, when `data` is not ASCII.
 * why: the message is copied into a buffer natively and read back as words through a DataView,
 * about twice as fast as reading it character by character.
 */
function innerHash(initial: Int32Array, data: string): boolean {
  const length = message.write(data, 0, 'utf8');
  // why: every character outside ASCII takes two or more UTF-8 bytes. (A message that is not
  // ASCII would also need its bytes, not its characters, counted in the length below.)
  if (length !== data.length) return false;
  // The padding: the 0x80 byte, zeros, and the bit length of the whole message (pad block too).
  const end = (((length + 8) >> 6) + 1) * BLOCK;
  messageBytes[length] = 0x80;
  messageBytes.fill(0, length + 1, end - 4);
  messageView.setInt32(end - 4, (BLOCK + length) * 8);
  state.set(initial);
  for (let at = 0; at < end; at += BLOCK) sha1Block(state, messageView, at);
  return true;
}

// why: a service verifies with one key nearly always; comparing with the last one (the same
// string object, so one pointer compare) skips the Map's hashing on every request.
let lastKey: string | undefined;
let lastStates: KeyStates | null = null;

function statesOf(key: string): KeyStates | null {
  if (key === lastKey) return lastStates;
  let states = statesCache.get(key);
  if (states === undefined) {
    states = computeStates(key);
    if (statesCache.size < STATES_CACHE_LIMIT) statesCache.set(key, states);
  }
  lastKey = key;
  lastStates = states;
  return states;
}

function computeStates(key: string): KeyStates | null {
  if (key.length > BLOCK || !/^[\x00-\x7f]*$/.test(key)) return null;
  return { inner: padState(key, 0x36), outer: padState(key, 0x5c) };
}

/** SHA-1's chaining value after the one block `key` (zero-filled) XOR `pad`. */
function padState(key: string, pad: number): Int32Array {
  const block = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) block[i] = (i < key.length ? key.charCodeAt(i) : 0) ^ pad;
  const chaining = Int32Array.from(SHA1_INITIAL);
  sha1Block(chaining, new DataView(block.buffer), 0);
  return chaining;
}
