// Tells whether V8's JSON.stringify(value, null, 2) writes a value as Python's json.dumps(indent=2) does.

/** {@link checkPlainJson}: JSON.stringify writes something else; take the exact renderer. */
export const NOT_PLAIN = 0;
/** {@link checkPlainJson}: JSON.stringify's text is Python's as it is. */
export const PLAIN_ASCII = 1;
/** {@link checkPlainJson}: JSON.stringify's text is Python's once DEL and up are escapes. */
export const PLAIN_ESCAPE = 2;

// why: recursion depth up to which a value is checked (deeper ones take the iterative renderer,
// as JSON.stringify itself recurses); a cycle ends up beyond it.
const MAX_FAST_DEPTH = 500;

// State of the check under way. why: module-level, so the per-value helpers stay small enough
// for V8 to inline into the container loops; checkPlainJson saves and restores `escapable`, so a
// getter that renders JSON itself cannot clear the outer check's finding.
let escapable = false;

/**
 * Texts already seen to be ASCII, by (length, first character): keys come from a small set and
 * short values repeat (both interned by V8, so a hit is one pointer compare). Exact: a text's
 * characters never change, and a slot only ever holds a text that was scanned. Emptied after
 * each check so no text outlives it.
 */
const asciiSlots: string[] = new Array<string>(128).fill('');

/** A character ensure_ascii escapes: DEL (U+007F) and up, lone surrogates included. */
const ESCAPABLE = /[^\0-\x7e]/;

/** Notes whether `text` has a character ensure_ascii escapes. */
function noteText(text: string): void {
  const slot = (text.length * 31 + text.charCodeAt(0)) & 127; // '' gives NaN & 127 = 0
  if (asciiSlots[slot] === text) return;
  let ascii: boolean;
  if (text.length > 24) {
    ascii = !ESCAPABLE.test(text); // why: for ids and timestamps the regex's native loop wins
  } else {
    // why: OR-ing code + 1 stays within 0x7f only while every code is at most 0x7e; for short
    // texts this branch-free loop beats the regex's call (measured).
    let bits = 0;
    for (let i = 0; i < text.length; i++) bits |= text.charCodeAt(i) + 1;
    ascii = bits <= 0x7f;
  }
  if (ascii) asciiSlots[slot] = text;
  else escapable = true;
}

/**
 * Safe integers, and finite fractions of at least 1e-4 in size: the numbers JSON.stringify
 * writes as Python's float repr / int does (NaN and ±Infinity become null, tiny fractions and
 * integers past 2^53 take another form).
 */
function plainNumber(value: number): boolean {
  if (Number.isInteger(value)) return value <= Number.MAX_SAFE_INTEGER && value >= -Number.MAX_SAFE_INTEGER;
  return (value >= 1e-4 || value <= -1e-4) && value !== Infinity && value !== -Infinity;
}

/** One member of a container (`depth` is the container's). Small, so V8 inlines it into the array loop. */
function plainMember(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      if (!escapable) noteText(value);
      return true;
    case 'number':
      return plainNumber(value);
    case 'object':
      return value === null || plainContainer(value, depth + 1);
    case 'bigint':
      return false;
    default:
      return true; // boolean; undefined, functions and symbols are dropped (or null) by both
  }
}

const isRawJson = (JSON as { isRawJSON?: (value: unknown) => boolean }).isRawJSON;

/**
 * Plain arrays and objects (Array / Object / null prototype, no `toJSON`, so no Date, boxed
 * value, Map or class instance; no JSON.rawJSON text) whose members are plain, at most
 * MAX_FAST_DEPTH levels deep.
 */
function plainContainer(value: object, depth: number): boolean {
  if (depth >= MAX_FAST_DEPTH) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) return false;
    for (let i = 0; i < value.length; i++) if (!plainMember(value[i], depth)) return false;
    return true;
  }
  if (proto !== Object.prototype && (proto !== null || (isRawJson !== undefined && isRawJson(value)))) return false;
  // why: for-in over a plain object lists its own enumerable string keys in JSON.stringify's
  // order, from V8's enum cache (Object.keys would build an array per object: 25 % slower).
  // The member check is written out here rather than calling plainMember (5 % faster, measured).
  for (const key in value) {
    if (!escapable) noteText(key);
    const member = (value as Record<string, unknown>)[key];
    const type = typeof member;
    if (type === 'string') {
      if (!escapable) noteText(member as string);
    } else if (type === 'object') {
      if (member !== null && !plainContainer(member as object, depth + 1)) return false;
    } else if (type === 'number') {
      if (!plainNumber(member as number)) return false;
    } else if (type === 'bigint') {
      return false;
    } // boolean; undefined, functions and symbols are dropped by both
  }
  return true;
}

/**
 * Whether `JSON.stringify(value, null, 2)` lays `value` out exactly as Python's
 * `json.dumps(value, separators=(",", ": "), indent=2)` does: {@link NOT_PLAIN} when it would
 * not (see plainContainer; top-level scalars too), {@link PLAIN_ESCAPE} when it would apart
 * from characters ensure_ascii escapes, {@link PLAIN_ASCII} when it would byte for byte.
 */
export function checkPlainJson(value: unknown): number {
  if (value === null || typeof value !== 'object') return NOT_PLAIN;
  const outerEscapable = escapable;
  escapable = false;
  try {
    if (!plainContainer(value, 0)) return NOT_PLAIN;
    return escapable ? PLAIN_ESCAPE : PLAIN_ASCII;
  } finally {
    escapable = outerEscapable;
    asciiSlots.fill('');
  }
}
