// Renders a report byte-for-byte as Python's json.dumps(report, separators=(",", ": "), indent=2) does.
import { pythonJsonString } from '../propagation/python-json.js';
import { ReportTooLargeError } from '../errors.js';
import { checkPlainJson, NOT_PLAIN, PLAIN_ASCII } from './plain-json.js';
import { walkReport } from './span-label.js';
import type { Report } from './types.js';

export { pythonJsonString };

// why: indentation strings are reused for the usual shallow depths; deeper ones are built on demand
// so a pathological depth does not leave a quadratic cache behind.
const INDENTS = Array.from({ length: 64 }, (_, depth) => '  '.repeat(depth));

function indent(depth: number): string {
  return depth < INDENTS.length ? INDENTS[depth] : '  '.repeat(depth);
}

/**
 * A number as Python's json writes it. Integral values are written as ints (a parsed JSON `1.0`
 * is indistinguishable from `1` in JS, and report numbers are ints); other values as Python's
 * float repr, which switches to exponent form below 1e-4 (`1e-05`, two-digit exponent).
 */
export function pythonJsonNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Number.isInteger(value)) return BigInt(value).toString();
  if (Math.abs(value) >= 1e-4) return String(value);
  const [mantissa, exponent] = value.toExponential().split('e');
  const sign = exponent[0] === '-' ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

interface Frame {
  container: readonly unknown[] | Record<string, unknown>;
  keys: readonly string[] | undefined; // undefined for arrays
  index: number;
  wrote: boolean;
}

/** Scalars as text; `undefined` for values Python's json has no form for (functions, undefined). */
function scalar(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return pythonJsonString(value);
    case 'number':
      return pythonJsonNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    default:
      return value === null ? 'null' : undefined;
  }
}

function toJsonValue(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return toJSON.call(value, key);
  }
  return value;
}

/**
 * Renders any JSON-like value as Python's `json.dumps(value, separators=(",", ": "), indent=2)`
 * with `ensure_ascii=True`: key order as stored, `{}`/`[]` for empty containers, no trailing
 * newline (the CLI's `print` adds one). Iterative, so nesting depth is unlimited. Where JSON.stringify
 * would drop a value (undefined, functions) it does the same; a circular reference (Python raises)
 * is written as `null`. Never throws for plain data.
 * @since 0.1.0
 */
export function renderJsonValue(root: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const onPath = new Set<object>();

  // Writes a value at the current position: scalars inline, containers by pushing a frame.
  const open = (value: unknown): void => {
    const s = scalar(value);
    if (s !== undefined) {
      out.push(s);
    } else if (value !== null && typeof value === 'object') {
      if (onPath.has(value)) {
        out.push('null');
        return;
      }
      const isArray = Array.isArray(value);
      const keys = isArray ? undefined : Object.keys(value);
      if ((isArray ? (value as unknown[]).length : (keys as string[]).length) === 0) {
        out.push(isArray ? '[]' : '{}');
        return;
      }
      onPath.add(value);
      out.push(isArray ? '[' : '{');
      stack.push({ container: value as Frame['container'], keys, index: 0, wrote: false });
    } else {
      out.push('null'); // undefined/function/symbol in an array or at the top, as JSON.stringify
    }
  };

  open(toJsonValue(root, ''));
  let written = 0;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    const depth = stack.length;
    // why: the indentation alone of each line is 2·depth characters; stop before V8's string limit
    // with a message instead of a bare RangeError (or an out-of-memory crash).
    written += 2 * depth + 8;
    if (written > MAX_STRING_CHARS) throw tooLarge(undefined);
    const { container, keys } = frame;
    if (keys === undefined) {
      const arr = container as readonly unknown[];
      if (frame.index < arr.length) {
        const i = frame.index++;
        out.push(frame.wrote ? ',\n' : '\n', indent(depth));
        frame.wrote = true;
        open(toJsonValue(arr[i], String(i)));
        continue;
      }
    } else {
      const obj = container as Record<string, unknown>;
      let pushed = false;
      while (frame.index < keys.length) {
        const key = keys[frame.index++];
        const value = toJsonValue(obj[key], key);
        if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
        out.push(frame.wrote ? ',\n' : '\n', indent(depth), pythonJsonString(key), ': ');
        frame.wrote = true;
        open(value);
        pushed = true;
        break;
      }
      if (pushed) continue;
    }
    stack.pop();
    onPath.delete(container);
    // an object whose values were all dropped (undefined) comes out as {}, as with JSON.stringify
    out.push(frame.wrote ? `\n${indent(depth - 1)}` : '', keys === undefined ? ']' : '}');
  }
  try {
    return out.join('');
  } catch (error) {
    if (error instanceof RangeError) throw tooLarge(undefined);
    throw error;
  }
}

const NON_ASCII = /[\u007f-\uffff]/g;

/**
 * `value`'s JSON as renderJsonValue writes it, when V8's JSON.stringify can lay it out (plain data,
 * see checkPlainJson); undefined otherwise (also when the text would be too long for one string).
 */
function plainJsonText(value: unknown): string | undefined {
  const plain = checkPlainJson(value);
  if (plain === NOT_PLAIN) return undefined;
  let text: string;
  try {
    text = JSON.stringify(value, null, 2);
  } catch {
    return undefined; // a getter that throws, a stack too deep for JSON.stringify, a text too long
  }
  if (plain === PLAIN_ASCII) return text;
  return text.replace(NON_ASCII, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Renders any JSON-like value exactly as {@link renderJsonValue} does, in a fraction of the time
 * for plain data (what the stores return): V8's JSON.stringify with indent 2 has Python's
 * layout, so only characters from DEL up need escaping afterwards (ensure_ascii). Values it
 * would write differently (see checkPlainJson) take renderJsonValue.
 * @since 0.1.0
 */
export function renderJsonFast(value: unknown): string {
  return plainJsonText(value) ?? renderJsonValue(value);
}

/**
 * The report as `osprofiler trace show --json` prints it, minus print()'s trailing newline:
 * identical to Python's `json.dumps(report, separators=(",", ": "), indent=2)`.
 * @since 0.1.0
 */
export function renderJson(report: Report): string {
  // why: the size check walks the whole tree; only a report that JSON.stringify could not write
  // (too deep for the fast path, or a text too long) needs it before the exact renderer.
  const text = plainJsonText(report);
  if (text !== undefined) return text;
  checkIndentedSize(report);
  return renderJsonValue(report);
}

/**
 * The longest string V8 builds (2^29 - 24 characters on 64-bit); longer text fails with a bare
 * "Invalid string length".
 */
export const MAX_STRING_CHARS = 2 ** 29 - 24;

/**
 * Fails early, with a message saying why and what to use instead, when the report's indented JSON
 * cannot fit in one string. why: indentation grows with depth, so a long parent→child chain
 * (20,000 levels) needs gigabytes of spaces; each node at tree depth k writes at least six lines
 * indented 2·2k spaces, which is the lower bound counted here.
 */
function checkIndentedSize(report: Report): void {
  let atLeast = 0;
  let deepest = 0;
  walkReport(Array.isArray(report.children) ? report.children : [], (_node, depth) => {
    atLeast += 24 * (depth + 1);
    if (depth + 1 > deepest) deepest = depth + 1;
  });
  if (atLeast > MAX_STRING_CHARS) throw tooLarge(deepest);
}

function tooLarge(deepest: number | undefined): ReportTooLargeError {
  const depth = deepest !== undefined ? ` (points nested ${deepest} levels deep)` : '';
  return new ReportTooLargeError(
    `This trace is too deeply nested to write as indented JSON${depth}: the text would exceed JavaScript's largest string (${Math.floor(MAX_STRING_CHARS / 1048576)} MB). Use --trace-event or --html instead.`,
  );
}
