// Shared SQL span info: capped statement text, JSON-safe bounded params, result and error stop info.
import { errorInfo } from '../../core/error-info.js';
import type { TraceInfo } from '../../core/payload.js';
import { renderValue } from '../../core/render-value.js';

/** Longest statement text kept, in characters; longer text ends with a `…[N more chars]` marker. */
export const MAX_STATEMENT_CHARS = 4096;
/** Most parameters kept per list or object; the rest are replaced by one `…[N more params]` marker. */
export const MAX_PARAMS = 100;
/** Longest string parameter kept, in characters (same marker as statements). */
export const MAX_PARAM_CHARS = 256;
/** How deep nested parameter lists (executemany, array values) are kept as JSON. */
const MAX_PARAM_DEPTH = 3;

/** One SQL statement as recorded in `info.db` (wire names). */
export interface DbStatement {
  statement: string;
  params?: unknown;
}

/** Cuts `text` to `max` characters, saying how much was left out. */
export function capText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more chars]`;
}

/** The statement text as stored: strings capped, anything else rendered. Never throws. */
export function statementText(statement: unknown): string {
  if (typeof statement === 'string') return capText(statement, MAX_STATEMENT_CHARS);
  if (statement === undefined || statement === null) return '';
  return capText(renderValue(statement), MAX_STATEMENT_CHARS);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * One bound value as JSON-safe data: strings are capped, bigints become decimal text, dates ISO
 * text, binary data a `<N bytes>` label, lists and plain objects are kept (bounded) as JSON.
 * why: notifications are JSON; a bigint or a cyclic object would make the whole batch fail to
 * serialise, and a megabyte blob parameter must not travel with every trace.
 */
function safeParam(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return capText(value, MAX_PARAM_CHARS);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
      return null;
    case 'object': {
      if (value === null) return null;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `<${value.byteLength} bytes>`;
      if (depth >= MAX_PARAM_DEPTH) return capText(renderValue(value), MAX_PARAM_CHARS);
      if (Array.isArray(value)) return safeList(value, depth + 1);
      if (isPlainObject(value)) return safeObject(value as Record<string, unknown>, depth + 1);
      return capText(renderValue(value), MAX_PARAM_CHARS);
    }
    default:
      return capText(renderValue(value), MAX_PARAM_CHARS);
  }
}

function safeList(list: readonly unknown[], depth: number): unknown[] {
  const n = Math.min(list.length, MAX_PARAMS);
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = safeParam(list[i], depth);
  if (list.length > MAX_PARAMS) out.push(`…[${list.length - MAX_PARAMS} more params]`);
  return out;
}

function safeObject(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(object);
  const n = Math.min(keys.length, MAX_PARAMS);
  for (let i = 0; i < n; i++) out[keys[i]] = safeParam(object[keys[i]], depth);
  if (keys.length > MAX_PARAMS) out['…'] = `[${keys.length - MAX_PARAMS} more params]`;
  return out;
}

/**
 * Bound parameters as stored: a JSON list for positional values (`[]` when none, a list of lists
 * for many rows), a JSON object for named ones — the shape Python's DB-API params take. Never throws.
 */
export function paramsValue(params: unknown): unknown {
  try {
    if (params === undefined || params === null) return [];
    if (Array.isArray(params)) return safeList(params, 1);
    if (typeof params === 'object' && isPlainObject(params)) return safeObject(params as Record<string, unknown>, 1);
    return [safeParam(params, 1)];
  } catch {
    return ['<unrenderable params>'];
  }
}

/** `{db: {statement, params}}` for a start notification; `params` is left out when hidden. */
export function dbStartInfo(statement: unknown, params: unknown, hideParams: boolean): TraceInfo {
  const db: DbStatement = { statement: statementText(statement) };
  if (!hideParams) db.params = paramsValue(params);
  return { db };
}

/** `{db: {result}}` for a successful stop when results are shown; the result rendered as bounded text. */
export function dbResultInfo(result: unknown): TraceInfo {
  return { db: { result: renderValue(result) } };
}

function causeText(error: unknown): string {
  try {
    const cause = (error as { cause?: unknown } | null | undefined)?.cause;
    if (cause === undefined || cause === null) return '';
    if (cause instanceof Error) return cause.message;
    return typeof cause === 'string' ? cause : renderValue(cause);
  } catch {
    return '';
  }
}

/**
 * Error stop info as Python's SQLAlchemy handler writes it: `{etype, message, db:
 * {original_exception, chained_exception}}`. `chained_exception` is the error's `cause` as text,
 * `""` when there is none (upstream head's behaviour; 3.4.3 wrote the string "None").
 */
export function dbErrorInfo(error: unknown): TraceInfo {
  const { etype, message } = errorInfo(error);
  return { etype, message, db: { original_exception: message, chained_exception: causeText(error) } };
}
