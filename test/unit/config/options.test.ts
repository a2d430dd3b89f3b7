// The option table: lookups and invariants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPTIONS, findOption, listOpts, optionForField } from '../../../src/config/options.js';

test('findOption finds current and deprecated names within their group', () => {
  assert.equal(findOption('profiler', 'enabled')?.field, 'enabled');
  assert.equal(findOption('profiler', 'profiler_enabled')?.field, 'enabled');
  assert.equal(findOption('profiler_otlp', 'service_name_prefix')?.field, 'otlpServiceNamePrefix');
  assert.equal(findOption('profiler_jaeger', 'service_name_prefix')?.field, 'jaegerServiceNamePrefix');
  assert.equal(findOption('DEFAULT', 'enabled'), undefined);
  assert.equal(findOption('profiler', 'nope'), undefined);
});

test('optionForField maps every field back to its row', () => {
  for (const o of OPTIONS) assert.equal(optionForField(o.field), o);
});

test('fields, env vars and (group, name) pairs are unique', () => {
  assert.equal(new Set(OPTIONS.map((o) => o.field)).size, OPTIONS.length);
  assert.equal(new Set(OPTIONS.map((o) => o.env)).size, OPTIONS.length);
  assert.equal(new Set(OPTIONS.map((o) => `${o.group}.${o.name}`)).size, OPTIONS.length);
});

test('rows and their object defaults are frozen', () => {
  for (const o of OPTIONS) {
    assert.ok(Object.isFrozen(o), o.name);
    if (typeof o.default === 'object' && o.default !== null) assert.ok(Object.isFrozen(o.default), o.name);
  }
});

test('every default passes its own parser', () => {
  for (const o of OPTIONS) {
    if (o.default !== undefined) assert.deepEqual(o.parse(o.default), o.default, o.name);
  }
});

test('only connection_string has a default different from Python beyond type shape', () => {
  const differ = OPTIONS.filter((o) => {
    const py = o.pythonDefault === null ? undefined : o.pythonDefault;
    return o.name === 'hmac_keys'
      ? JSON.stringify(o.default) !== JSON.stringify([py])
      : JSON.stringify(o.default) !== JSON.stringify(py);
  });
  assert.deepEqual(
    differ.map((o) => o.name),
    ['connection_string'],
  );
});

test('listOpts groups names in table order', () => {
  assert.deepEqual(
    listOpts().map(([g]) => g),
    ['profiler', 'profiler_jaeger', 'profiler_otlp'],
  );
});
