// Process-wide web tracing switch, as Python's web.enable/disable.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { disableWebTrace, enableWebTrace, resetWebTrace, webTraceState } from '../../../src/config/web-trace.js';

afterEach(() => resetWebTrace());

test('the state is unset until enable or disable is called', () => {
  assert.deepEqual(webTraceState(), { enabled: undefined, hmacKeys: [] });
});

test('enable splits comma-separated keys, trimming and dropping empties', () => {
  enableWebTrace(' a , b,,c ');
  assert.deepEqual(webTraceState(), { enabled: true, hmacKeys: ['a', 'b', 'c'] });
});

test('enable takes an array of keys as given', () => {
  enableWebTrace(['k1', 'k2']);
  assert.deepEqual(webTraceState().hmacKeys, ['k1', 'k2']);
});

test('enable without keys turns tracing on with no global keys', () => {
  enableWebTrace('x');
  enableWebTrace();
  assert.deepEqual(webTraceState(), { enabled: true, hmacKeys: [] });
});

test('disable turns tracing off and keeps the keys, as Python does', () => {
  enableWebTrace('secret');
  disableWebTrace();
  assert.deepEqual(webTraceState(), { enabled: false, hmacKeys: ['secret'] });
});

test('disable before any enable sets enabled to false', () => {
  disableWebTrace();
  assert.equal(webTraceState().enabled, false);
});

test('the state object is frozen and later calls do not change an earlier snapshot', () => {
  const keys = ['a'];
  enableWebTrace(keys);
  const snap = webTraceState();
  keys.push('b');
  assert.ok(Object.isFrozen(snap));
  assert.ok(Object.isFrozen(snap.hmacKeys));
  assert.deepEqual(snap.hmacKeys, ['a']);
  disableWebTrace();
  assert.equal(snap.enabled, true);
});

test('the same state object is returned between changes', () => {
  enableWebTrace('a');
  assert.equal(webTraceState(), webTraceState());
});
