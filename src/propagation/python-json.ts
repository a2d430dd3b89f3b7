// Python `json.dumps` default layout, byte for byte, so packed trace headers match the Python peer's.

/**
 * Serialises `value` the way Python's `json.dumps(value)` does with default arguments:
 * `", "` / `": "` separators, insertion order, `ensure_ascii=True` (every code unit outside
 * `' '..'~'` as lower-case `\uXXXX`, so astral characters become surrogate pairs and DEL is
 * escaped), `\n \r \t \b \f` short escapes, `NaN`/`Infinity` literals, `-0` as `-0.0` and floats
 * in Python's repr (`1e+16`, `1e-05`). JS values Python has no equivalent for follow
 * `JSON.stringify`: `undefined`, functions and symbols are dropped from objects and become `null`
 * in arrays (and at the top level); `toJSON()` is honoured; bigints print as integers.
 * Throws a TypeError on circular structures (Python raises ValueError there).
 * @since 0.1.0
 */
export function pythonJsonDumps(value: unknown): string {
  const fast = encodeFast(value, 0, '"');
  if (fast !== null) return fast ?? 'null';
  return encode(value, '', new Set()) ?? 'null';
}

/**
 * `pythonJsonString(pythonJsonDumps(value))` — the dump written again as a JSON string literal,
 * as SQLAlchemy stores a Python str in a JSON column — in one pass for plain data.
 * @since 0.1.0
 */
export function pythonJsonDumpsAsString(value: unknown): string {
  const fast = encodeFast(value, 0, ESCAPED_QUOTE);
  if (fast !== null) return `"${fast ?? 'null'}"`;
  return pythonJsonString(encode(value, '', new Set()) ?? 'null');
}

/**
 * Like {@link pythonJsonDumpsAsString} for the object made of `record`'s own keys minus
 * `omit` (key order kept), without building that object.
 * @since 0.1.0
 */
export function pythonJsonDumpsAsStringWithout(record: Record<string, unknown>, omit: ReadonlySet<string>): string {
  const fast = encodeObjectFast(record, 0, ESCAPED_QUOTE, omit);
  if (fast !== null) return `"${fast}"`;
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(record)) if (!omit.has(key)) rest[key] = record[key];
  return pythonJsonString(encode(rest, '', new Set()) ?? 'null');
}

// ---- fast path: plain data, written in one recursive pass ----
// why: the general encoder below (Set of ancestors, toJSON, boxed values, arrays of parts)
// costs several µs per notification; stores encode every notification, so plain objects,
// arrays, strings, finite numbers, booleans and null take this path and anything else
// (toJSON, bigint, class instances, boxed values, > FAST_MAX_DEPTH levels, so cycles too) makes
// it return null and the general encoder start over. Both give the same text.

const FAST_MAX_DEPTH = 64;
/** The quote of a string inside a JSON text that is itself written as a JSON string. */
const ESCAPED_QUOTE = '\\"';
const PLAIN_STRING = /["\\\u0000-\u001f\u007f-\uffff]/;
const OUTER_ESCAPES = /["\\]/g;

/** A string literal: quote `"` for the JSON text itself, `\"` for a JSON text inside a string. */
function stringFast(text: string, quote: string): string {
  if (!PLAIN_STRING.test(text)) return quote + text + quote;
  const literal = pythonJsonString(text);
  if (quote === '"') return literal;
  // the literal is printable ASCII, so writing it again only escapes " and \
  return literal.replace(OUTER_ESCAPES, '\\$&');
}

/** The encoded value; undefined where Python's json has no value (dropped); null to give up. */
function encodeFast(value: unknown, depth: number, quote: string): string | undefined | null {
  switch (typeof value) {
    case 'string':
      return stringFast(value, quote);
    case 'number':
      return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : pythonNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return encodeArrayFast(value, depth, quote);
      return encodeObjectFast(value as Record<string, unknown>, depth, quote, undefined);
    default:
      return null; // bigint (may have a toJSON)
  }
}

function encodeArrayFast(array: readonly unknown[], depth: number, quote: string): string | null {
  if (depth >= FAST_MAX_DEPTH || typeof (array as { toJSON?: unknown }).toJSON === 'function') return null;
  if (array.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < array.length; i++) {
    const item = encodeFast(array[i], depth + 1, quote);
    if (item === null) return null;
    out += (i === 0 ? '' : ', ') + (item ?? 'null');
  }
  return out + ']';
}

function encodeObjectFast(
  object: Record<string, unknown>,
  depth: number,
  quote: string,
  omit: ReadonlySet<string> | undefined,
): string | null {
  if (depth >= FAST_MAX_DEPTH) return null;
  const proto = Object.getPrototypeOf(object);
  if ((proto !== Object.prototype && proto !== null) || typeof object.toJSON === 'function') return null;
  let out = '{';
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (omit !== undefined && omit.has(key)) continue;
    // why: copying such a key into a fresh object (what the `omit` fallback does) sets its prototype
    if (omit !== undefined && key === '__proto__') return null;
    const text = encodeFast(object[key], depth + 1, quote);
    if (text === null) return null;
    if (text === undefined) continue;
    out += (out.length === 1 ? '' : ', ') + stringFast(key, quote) + ': ' + text;
  }
  return out + '}';
}

/** Python's `repr(float)` for a finite number, or the integer form for safe integers. */
export function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Object.is(n, -0)) return '-0.0';
  // why: JS cannot tell 1 from 1.0; trace data on the wire carries ints (ids, counts), so safe
  // integers print as Python ints. Larger integral doubles are printed as the floats they are.
  if (Number.isSafeInteger(n)) return String(n);
  return floatRepr(n);
}

function floatRepr(n: number): string {
  const sign = n < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest round-trip digits, as Python's repr.
  const [mantissa, exponent] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const decpt = Number(exponent) + 1; // position of the decimal point relative to `digits`
  // why: Python switches to exponent notation when decpt > 16 or decpt < -3 (float_repr_style 'r').
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const exp = decpt - 1;
  const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
  const expText = String(Math.abs(exp)).padStart(2, '0');
  return `${sign}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${expText}`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

// Everything Python's ensure_ascii escapes: `"`, `\` and any code unit outside ' '..'~' (DEL
// included; "/" is left alone). Escaping UTF-16 unit by unit yields Python's surrogate pairs.
const NEEDS_ESCAPE = /["\\]|[^ -~]/;
const ESCAPE_ALL = /["\\]|[^ -~]/g;

/** A JSON string literal with Python's `ensure_ascii=True` escaping (lower-case `\uXXXX`). */
export function pythonJsonString(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  const body = text.replace(
    ESCAPE_ALL,
    (ch) => SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${body}"`;
}

function encode(value: unknown, key: string, seen: Set<object>): string | undefined {
  if (value !== null && (typeof value === 'object' || typeof value === 'bigint')) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    value = value.valueOf();
  }
  switch (typeof value) {
    case 'string':
      return pythonJsonString(value);
    case 'number':
      return pythonNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.has(obj)) throw new TypeError('Circular reference detected');
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      const items = obj.map((item, i) => encode(item, String(i), seen) ?? 'null');
      return `[${items.join(', ')}]`;
    }
    const parts: string[] = [];
    for (const k of Object.keys(obj)) {
      const text = encode((obj as Record<string, unknown>)[k], k, seen);
      if (text !== undefined) parts.push(`${pythonJsonString(k)}: ${text}`);
    }
    return `{${parts.join(', ')}}`;
  } finally {
    seen.delete(obj);
  }
}
