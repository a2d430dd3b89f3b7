// Reads oslo.config-style INI files (the service's existing config file) into section → key → value maps.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/** Section name → option name → raw value. Section names are lower-cased except `DEFAULT`, as oslo does. */
export type IniSections = Record<string, Record<string, string>>;

// why: a value's line number is kept beside the section (not in it), so IniSections stays a plain
// name → text map and an invalid value can still be reported with its file and line.
const keyLines = new WeakMap<object, Map<string, number>>();

/** The line where `key` of `section` was set (the last assignment), when parseIni read it. @since 0.1.0 */
export function lineOf(section: Record<string, string> | undefined, key: string): number | undefined {
  return section === undefined ? undefined : keyLines.get(section)?.get(key);
}

function define(target: object, key: string, value: unknown): void {
  // why: names like `__proto__` or `constructor` in a file must become plain keys.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function fail(where: string, lineno: number, reason: string, line: string): never {
  throw new ConfigError(`${where} line ${lineno}: ${reason}: ${JSON.stringify(line)}`);
}

function splitAssignment(line: string): [string, string] | undefined {
  const colon = line.indexOf(':');
  const equal = line.indexOf('=');
  if (colon < 0 && equal < 0) return undefined;
  // why: oslo splits at whichever of `=` and `:` comes first, so `url = redis://h:1` keeps its colon.
  const at = colon < 0 || (equal >= 0 && equal < colon) ? equal : colon;
  let value = line.slice(at + 1).trim();
  // why: as oslo, a lone quote character also counts as a matching pair and becomes ''.
  if (value.length >= 1 && (value[0] === '"' || value[0] === "'") && value[value.length - 1] === value[0]) {
    value = value.slice(1, -1);
  }
  return [line.slice(0, at).trim(), value];
}

/**
 * Parses INI text with oslo.config's rules: `[section]` headers, `key = value` or `key: value`
 * (split at the first `=` or `:`), whole-line comments starting with `#` or `;` (no inline
 * comments: `a = b # c` keeps `b # c`), one pair of matching surrounding quotes removed, indented
 * lines continuing the previous value (joined with `\n`; a blank line or comment ends it), and the
 * last of duplicate keys winning. Throws `ConfigError` with the line number on malformed lines.
 * `where` names the text in messages (a file path). @since 0.1.0
 */
export function parseIni(text: string, where = 'config'): IniSections {
  const sections: IniSections = {};
  let section: Record<string, string> | undefined;
  let key: string | undefined;
  let value: string[] = [];
  let keyLine = 0;

  const flush = (): void => {
    if (key === undefined) return;
    if (section === undefined) fail(where, keyLine, 'an option comes before any [section]', key);
    define(section, key, value.join('\n'));
    let lines = keyLines.get(section);
    if (lines === undefined) keyLines.set(section, (lines = new Map()));
    lines.set(key, keyLine);
    key = undefined;
    value = [];
  };

  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineno = i + 1;
    const line = lines[i].trimEnd();
    if (line === '') {
      flush();
      continue;
    }
    if (line[0] === ' ' || line[0] === '\t') {
      if (key === undefined) fail(where, lineno, 'unexpected continuation line', line);
      value.push(line.trimStart());
      continue;
    }
    flush();
    if (line[0] === '[') {
      if (!line.endsWith(']')) fail(where, lineno, 'a section header must end with ]', line);
      if (line.length <= 2) fail(where, lineno, 'empty section name', line);
      const raw = line.slice(1, -1);
      const name = raw === 'DEFAULT' ? raw : raw.toLowerCase();
      if (!Object.prototype.hasOwnProperty.call(sections, name)) define(sections, name, {});
      section = sections[name];
    } else if (line[0] === '#' || line[0] === ';') {
      continue;
    } else {
      const pair = splitAssignment(line);
      if (pair === undefined) fail(where, lineno, "no '=' or ':' in the assignment", line);
      if (pair[0] === '') fail(where, lineno, 'the option name is empty', line);
      [key, value, keyLine] = [pair[0], [pair[1]], lineno];
    }
  }
  flush();
  return sections;
}

/** Reads and parses an INI file (see parseIni); a missing or unreadable file is a `ConfigError`. @since 0.1.0 */
export function readIniFile(path: string): IniSections {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`Cannot read config file ${path}: ${reason}`);
  }
  return parseIni(text, path);
}
