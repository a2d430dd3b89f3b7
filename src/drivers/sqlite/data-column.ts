// The `data` column text of a notification, appended piece by piece to a batch's text.
import { pythonJsonDumpsAsStringWithout, pythonJsonString, pythonNumber } from '../../propagation/python-json.js';

/** Most slots the pieces array keeps between batches (a 250-row batch uses a few thousand). */
const KEPT_PIECES = 65_536;

/** Pieces of text joined once per batch, with their total length so far. */
export class TextPieces {
  /**
   * The pieces; slots from `count` on are empty strings.
   * why: the array keeps its size between batches: emptied (length 0) it would give up its
   * backing store and grow it again, copy by copy, for every batch.
   */
  #pieces: string[] = [];
  #count = 0;
  /** Characters appended so far. */
  length = 0;

  /** Pieces appended so far. */
  get count(): number {
    return this.#count;
  }

  push(text: string): void {
    if (this.#count < this.#pieces.length) this.#pieces[this.#count] = text;
    else this.#pieces.push(text);
    this.#count++;
    this.length += text.length;
  }

  /** Drops what was appended since `count` pieces and `length` characters. */
  truncate(count: number, length: number): void {
    this.#pieces.fill('', count, this.#count);
    this.#count = count;
    this.length = length;
  }

  /** The text so far, in one flat string; starts over empty. */
  take(): string {
    const text = this.#pieces.join('');
    if (this.#pieces.length > KEPT_PIECES) this.#pieces = [];
    else this.#pieces.fill('', 0, this.#count);
    this.#count = 0;
    this.length = 0;
    return text;
  }
}

// why: the same text as pythonJsonDumpsAsStringWithout (Python's `json.dumps` of what the SQL
// driver leaves in `data`, written again as a JSON string), but pushed as pieces that are the
// notification's own strings and constants: joined once per batch, they make no intermediate
// strings for the garbage collector, which on the event loop costs more than the encoding itself
// while a burst of notifications is queued. Anything other than plain data (toJSON, bigint,
// class instances, deeper than MAX_DEPTH, so cycles too) is handed to the general encoder.

const MAX_DEPTH = 64;
/** `"` inside the outer JSON string. */
const QUOTE = '\\"';
/** Strings that need no escaping at either level (ASCII from ' ' to '~' except `"` and `\`). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;
const OUTER_ESCAPES = /["\\]/g;

/**
 * Appends the `data` text of `payload` without the keys in `omit`: `"{\"key\": value, …}"`, as
 * Python's SQL driver stores it. Throws only for values JSON cannot hold (circular objects), and
 * then appends nothing.
 */
export function appendDataColumn(out: TextPieces, payload: Record<string, unknown>, omit: ReadonlySet<string>): void {
  const count = out.count;
  const length = out.length;
  out.push('"');
  if (appendObject(out, payload, 0, omit)) {
    out.push('"');
    return;
  }
  out.truncate(count, length);
  out.push(pythonJsonDumpsAsStringWithout(payload, omit));
}

/** Appends the value; false to give up (nothing usable appended), undefined for a value Python's json leaves out. */
function appendValue(out: TextPieces, value: unknown, depth: number): boolean | undefined {
  switch (typeof value) {
    case 'string':
      appendString(out, value);
      return true;
    case 'number':
      out.push(Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : pythonNumber(value));
      return true;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return true;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      if (value === null) {
        out.push('null');
        return true;
      }
      return Array.isArray(value)
        ? appendArray(out, value, depth)
        : appendObject(out, value as Record<string, unknown>, depth, undefined);
    default:
      return false; // bigint (may have a toJSON)
  }
}

function appendString(out: TextPieces, text: string): void {
  if (!NEEDS_ESCAPE.test(text)) {
    out.push(QUOTE);
    out.push(text);
    out.push(QUOTE);
    return;
  }
  // the literal is printable ASCII, so writing it again only escapes " and \
  out.push(pythonJsonString(text).replace(OUTER_ESCAPES, '\\$&'));
}

function appendArray(out: TextPieces, array: readonly unknown[], depth: number): boolean {
  if (depth >= MAX_DEPTH || typeof (array as { toJSON?: unknown }).toJSON === 'function') return false;
  out.push('[');
  for (let i = 0; i < array.length; i++) {
    if (i > 0) out.push(', ');
    const appended = appendValue(out, array[i], depth + 1);
    if (appended === false) return false;
    if (appended === undefined) out.push('null');
  }
  out.push(']');
  return true;
}

function appendObject(
  out: TextPieces,
  object: Record<string, unknown>,
  depth: number,
  omit: ReadonlySet<string> | undefined,
): boolean {
  if (depth >= MAX_DEPTH) return false;
  const proto = Object.getPrototypeOf(object);
  if ((proto !== Object.prototype && proto !== null) || typeof object.toJSON === 'function') return false;
  let first = true;
  // why: for-in walks the enum cache V8 keeps per object shape (no key array per object) and
  // gives own keys in Object.keys order; an inherited enumerable key (a polluted prototype) is
  // left to the general encoder.
  for (const key in object) {
    if (!Object.hasOwn(object, key)) return false;
    if (omit !== undefined && omit.has(key)) continue;
    // why: copying such a key into a fresh object (what the general encoder does with `omit`) sets its prototype
    if (omit !== undefined && key === '__proto__') return false;
    const count = out.count;
    const length = out.length;
    out.push(keyPiece(key, first));
    const appended = appendValue(out, object[key], depth + 1);
    if (appended === false) return false;
    if (appended === undefined) out.truncate(count, length);
    else first = false;
  }
  out.push(first ? '{}' : '}');
  return true;
}

/** Keys whose pieces are kept; beyond it, pieces are made each time. */
const MAX_CACHED_KEYS = 1024;
const MAX_CACHED_KEY_LENGTH = 64;
/** A key's `{\"key\": ` and `, \"key\": ` pieces. why: keys repeat in every notification. */
const keyPieces = new Map<string, readonly [string, string]>();

/** The key with what comes before it in its object (`{` or `, `), its quotes and the `: ` after it. */
function keyPiece(key: string, first: boolean): string {
  let pieces = keyPieces.get(key);
  if (pieces === undefined) {
    // a literal of printable ASCII, whose " and \ are escaped once more
    const text = NEEDS_ESCAPE.test(key)
      ? pythonJsonString(key).replace(OUTER_ESCAPES, '\\$&')
      : `${QUOTE}${key}${QUOTE}`;
    pieces = [`{${text}: `, `, ${text}: `];
    if (keyPieces.size < MAX_CACHED_KEYS && key.length <= MAX_CACHED_KEY_LENGTH) keyPieces.set(key, pieces);
  }
  return first ? pieces[0] : pieces[1];
}
