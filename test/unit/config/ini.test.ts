// INI reading with oslo.config's rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIni, readIniFile } from '../../../src/config/ini.js';
import { configErrorMessage as message } from '../../helpers/config-error.js';

test('sections hold key = value and key: value pairs', () => {
  const s = parseIni('[profiler]\nenabled = true\nhmac_keys: k1,k2\n\n[profiler_jaeger]\nprocess_tags = a:1\n');
  assert.deepEqual(s, {
    profiler: { enabled: 'true', hmac_keys: 'k1,k2' },
    profiler_jaeger: { process_tags: 'a:1' },
  });
});

test('a line splits at the first = or :, whichever comes first', () => {
  const s = parseIni('[p]\nconnection_string = redis://h:6379\ntags: a=b\n');
  assert.deepEqual(s.p, { connection_string: 'redis://h:6379', tags: 'a=b' });
});

test('# and ; start comment lines, and inline comments are part of the value', () => {
  const s = parseIni('# top\n[p]\n; note\n#enabled = true\nenabled = false # not a comment\n');
  assert.deepEqual(s.p, { enabled: 'false # not a comment' });
});

test('one pair of matching surrounding quotes is removed', () => {
  const s = parseIni(`[p]\na = "x y"\nb = 'z'\nc = "mixed'\nd = ""\ne = "\n`);
  assert.deepEqual(s.p, { a: 'x y', b: 'z', c: `"mixed'`, d: '', e: '' });
});

test('indented lines continue the value, joined with newlines', () => {
  const s = parseIni('[p]\nhmac_keys = a,\n    b,\n\tc\nnext = 1\n');
  assert.deepEqual(s.p, { hmac_keys: 'a,\nb,\nc', next: '1' });
});

test('the last of duplicate keys wins, also across repeated sections', () => {
  const s = parseIni('[p]\na = 1\na = 2\n[q]\nx = 1\n[p]\na = 3\nb = 4\n');
  assert.deepEqual(s.p, { a: '3', b: '4' });
});

test('section names are lower-cased except DEFAULT; keys keep their case', () => {
  const s = parseIni('[DEFAULT]\nx = 1\n[Profiler]\nEnabled = true\n');
  assert.deepEqual(s, { DEFAULT: { x: '1' }, profiler: { Enabled: 'true' } });
});

test('CRLF line ends, a BOM and trailing spaces are accepted; empty values are kept', () => {
  const s = parseIni('\uFEFF[p]\r\nenabled = yes   \r\nempty =\r\n');
  assert.deepEqual(s.p, { enabled: 'yes', empty: '' });
});

test('names such as __proto__ become plain keys', () => {
  const s = parseIni('[__proto__]\n__proto__ = x\n');
  assert.equal(Object.getPrototypeOf(s), Object.prototype);
  assert.deepEqual(Object.keys(s), ['__proto__']);
  assert.equal(Object.getOwnPropertyDescriptor(s, '__proto__')?.value.__proto__, 'x');
});

test('malformed lines are ConfigErrors naming the source and line', () => {
  assert.equal(
    message(() => parseIni('enabled = true\n', 'nova.conf')),
    'nova.conf line 1: an option comes before any [section]: "enabled"',
  );
  assert.equal(
    message(() => parseIni('[p]\n\n  dangling\n', 'f')),
    'f line 3: unexpected continuation line: "  dangling"',
  );
  assert.equal(
    message(() => parseIni('[p]\n# c\n  dangling\n', 'f')),
    'f line 3: unexpected continuation line: "  dangling"',
  );
  assert.equal(
    message(() => parseIni('[p\n', 'f')),
    'f line 1: a section header must end with ]: "[p"',
  );
  assert.equal(
    message(() => parseIni('[]\n', 'f')),
    'f line 1: empty section name: "[]"',
  );
  assert.equal(
    message(() => parseIni('[p]\njust words\n', 'f')),
    `f line 2: no '=' or ':' in the assignment: "just words"`,
  );
  assert.equal(
    message(() => parseIni('[p]\n= v\n', 'f')),
    'f line 2: the option name is empty: "= v"',
  );
  assert.equal(
    message(() => parseIni('[p]\n\n = v\n')),
    'config line 3: unexpected continuation line: " = v"',
  );
});

test('readIniFile reads a file and reports a missing one as a ConfigError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'osp-ini-'));
  try {
    const file = join(dir, 'svc.conf');
    writeFileSync(file, '[profiler]\nenabled = true\n');
    assert.deepEqual(readIniFile(file), { profiler: { enabled: 'true' } });
    const missing = join(dir, 'nope.conf');
    assert.match(
      message(() => readIniFile(missing)),
      new RegExp(`^Cannot read config file ${missing}: ENOENT`),
    );
    writeFileSync(file, '[profiler]\nbroken\n');
    assert.equal(
      message(() => readIniFile(file)),
      `${file} line 2: no '=' or ':' in the assignment: "broken"`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
