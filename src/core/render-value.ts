// Renders arguments and results into bounded strings for span info, never throwing.
import { inspect } from 'node:util';

/** Longest rendered argument list or result, in characters; longer text ends with a marker. */
export const MAX_RENDERED_CHARS = 1024;

const INSPECT_OPTIONS = {
  depth: 2,
  maxArrayLength: 20,
  maxStringLength: 256,
  breakLength: Infinity,
  compact: true,
  getters: false,
  customInspect: false,
  showProxy: false,
} as const;

function cap(text: string): string {
  return text.length <= MAX_RENDERED_CHARS
    ? text
    : `${text.slice(0, MAX_RENDERED_CHARS)}…[${text.length - MAX_RENDERED_CHARS} more chars]`;
}

/**
 * One value as text, like Python's repr for strings and numbers (`'vm1'`, `42`).
 * why: customInspect and getters are off, so user code never runs while we render; a Proxy
 * whose traps throw, or any other failure, gives a placeholder instead of an error.
 */
export function renderValue(value: unknown): string {
  try {
    return cap(inspect(value, INSPECT_OPTIONS));
  } catch {
    return '<unrenderable>';
  }
}

/** An argument list rendered as a Python tuple: `()`, `('vm1',)`, `('vm1', 2)`. */
export function renderArgs(args: ArrayLike<unknown>): string {
  const n = args.length;
  if (n === 0) return '()';
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; i < n && length <= MAX_RENDERED_CHARS; i++) {
    const part = renderValue(args[i]);
    parts.push(part);
    length += part.length + 2;
  }
  return cap(n === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`);
}
