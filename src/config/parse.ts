// Value parsers shared by the option table: oslo.config's Boolean/Integer/Float/Dict rules and error messages.
import { ConfigError } from '../errors.js';
import { parseHmacKeys } from '../propagation/headers.js';

/** Names one option in error messages. */
export interface OptionWhere {
  group: string;
  name: string;
  secret: boolean;
}

/** Parses one raw value; `undefined` means empty, use the default. */
export type ValueParser<T> = (value: unknown, source?: string) => T | undefined;

const TRUE_WORDS = new Set(['true', '1', 'on', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'off', 'no']);

function describe(value: unknown, secret: boolean): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      if (secret) return 'a string (hidden)';
      const shown = value.length > 200 ? `${value.slice(0, 200)}…` : value;
      return JSON.stringify(shown);
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return secret ? `a ${typeof value}` : String(value);
    case 'undefined':
      return 'undefined';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

function invalid(where: OptionWhere, value: unknown, source: string | undefined, expected: string): ConfigError {
  const from = source ? ` from ${source}` : '';
  return new ConfigError(
    `[${where.group}] ${where.name}: invalid value ${describe(value, where.secret)}${from} (expected ${expected})`,
  );
}

/** Parses a boolean as oslo.config does: true/false, yes/no, on/off, 1/0, any case. @since 0.1.0 */
export function parseBoolText(text: string): boolean | undefined {
  // why: oslo does not strip, but INI values arrive stripped; trimming env values is a harmless leniency.
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/** Boolean options: a boolean, or oslo's words in any case. */
export function boolParser(where: OptionWhere) {
  return (value: unknown, source?: string): boolean => {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string') {
      const parsed = parseBoolText(value);
      if (parsed !== undefined) return parsed;
    }
    throw invalid(where, value, source, 'a boolean: true/false, yes/no, on/off or 1/0');
  };
}

/** String options: any string, kept as is (oslo strips only INI whitespace and matching quotes). */
export function stringParser(where: OptionWhere) {
  return (value: unknown, source?: string): string => {
    if (typeof value === 'string') return value;
    throw invalid(where, value, source, 'a string');
  };
}

/** Strings whose Python default is None: the empty string means unset. */
export function optionalStringParser(where: OptionWhere) {
  return (value: unknown, source?: string): string | undefined => {
    // why: Python's default is None here and code tests the value for truth, so "" means "not set".
    if (typeof value === 'string') return value === '' ? undefined : value;
    throw invalid(where, value, source, 'a string');
  };
}

const INT_TEXT = /^[+-]?\d+(?:_\d+)*$/;
const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Integer/Float options: a number or its text, finite and at least `min`; empty text means unset. */
export function numberParser(where: OptionWhere, integer: boolean, min: number) {
  const expected = integer ? `an integer >= ${min}` : `a number of seconds >= ${min}`;
  return (value: unknown, source?: string): number | undefined => {
    let n: number;
    if (typeof value === 'number') {
      n = value;
    } else if (typeof value === 'string') {
      const text = value.trim();
      // why: oslo turns an empty number into None; we fall back to the default instead of "no value".
      if (text === '') return undefined;
      if (!(integer ? INT_TEXT : FLOAT_TEXT).test(text)) throw invalid(where, value, source, expected);
      n = Number(text.replaceAll('_', ''));
    } else {
      throw invalid(where, value, source, expected);
    }
    // why: beyond oslo (no bounds there): a negative timeout or page size, NaN or Infinity is a mistake.
    if (!Number.isFinite(n) || (integer && !Number.isSafeInteger(n)) || n < min) {
      throw invalid(where, value, source, expected);
    }
    return n;
  };
}

/** `hmac_keys`: comma-separated text, or an array of strings from code. */
export function keysParser(where: OptionWhere) {
  return (value: unknown, source?: string): string[] => {
    if (typeof value === 'string') return parseHmacKeys(value);
    if (Array.isArray(value) && value.every((k) => typeof k === 'string')) return parseHmacKeys(value);
    throw invalid(where, value, source, 'comma-separated keys or an array of strings');
  };
}

function defineEntry(target: Record<string, string>, key: string, value: string): void {
  // why: a tag named `__proto__` must become a key, not replace the prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Parses `k:v,k2:v2` as oslo's DictOpt: keys and values trimmed, the value may contain `:`, a piece
 * without `:` is glued to the next one with its comma, empty keys and duplicate keys are errors.
 */
export function parseDictText(text: string): Record<string, string> | string {
  const result: Record<string, string> = {};
  const body = text.trim();
  if (body === '') return result;
  const pieces = body.split(',');
  let i = 0;
  while (i < pieces.length) {
    let pair = pieces[i++];
    let colon = pair.indexOf(':');
    while (colon < 0) {
      if (i >= pieces.length) return 'key:value pairs separated by ","';
      pair += `,${pieces[i++]}`;
      colon = pair.indexOf(':');
    }
    const key = pair.slice(0, colon).trim();
    const value = pair.slice(colon + 1).trim();
    if (key === '') return 'key:value pairs with non-empty keys';
    if (Object.prototype.hasOwnProperty.call(result, key)) return `key:value pairs without the duplicate key "${key}"`;
    defineEntry(result, key, value);
  }
  return result;
}

/** Dict options: `k:v,k2:v2` text (see parseDictText) or an object of strings from code. */
export function dictParser(where: OptionWhere) {
  const expected = 'key:value pairs separated by ","';
  return (value: unknown, source?: string): Record<string, string> => {
    if (typeof value === 'string') {
      const parsed = parseDictText(value);
      if (typeof parsed === 'string') throw invalid(where, value, source, parsed);
      return parsed;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw invalid(where, value, source, 'an object of string values');
        defineEntry(out, k, v);
      }
      return out;
    }
    throw invalid(where, value, source, expected);
  };
}
