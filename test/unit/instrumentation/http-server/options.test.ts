import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { disableWebTrace, enableWebTrace, resetWebTrace } from '../../../../src/config/web-trace.js';
import { activeKeys, resolveWebOptions } from '../../../../src/instrumentation/http-server/options.js';

describe('web options', () => {
  afterEach(() => resetWebTrace());

  it('defaults to the span name wsgi, no keys, enabled', () => {
    const resolved = resolveWebOptions(undefined);
    assert.equal(resolved.name, 'wsgi');
    assert.deepEqual(resolved.hmacKeys, []);
    assert.equal(resolved.enabled, true);
  });

  it('splits a comma-separated key string and strips each key; takes an array as it is, without blank keys', () => {
    assert.deepEqual(resolveWebOptions({ hmacKeys: ' a , b ,' }).hmacKeys, ['a', 'b']);
    assert.deepEqual(resolveWebOptions({ hmacKeys: ['x', ' ', ' y'] }).hmacKeys, ['x', ' y']);
  });

  it('keeps a custom span name', () => {
    assert.equal(resolveWebOptions({ name: 'api' }).name, 'api');
    assert.equal(resolveWebOptions({ name: '' }).name, 'wsgi');
  });

  it('gives no keys when the entry point has none and nothing was enabled globally', () => {
    assert.equal(activeKeys(resolveWebOptions({})), undefined);
  });

  it('uses its own keys while the global switch was never set', () => {
    assert.deepEqual(activeKeys(resolveWebOptions({ hmacKeys: 'k' })), ['k']);
    assert.equal(activeKeys(resolveWebOptions({ hmacKeys: 'k', enabled: false })), undefined);
  });

  it('lets enableWebTrace keys win over its own and turn on a disabled entry point', () => {
    enableWebTrace('global');
    assert.deepEqual(activeKeys(resolveWebOptions({ hmacKeys: 'own' })), ['global']);
    assert.deepEqual(activeKeys(resolveWebOptions({ hmacKeys: 'own', enabled: false })), ['global']);
    assert.deepEqual(activeKeys(resolveWebOptions({})), ['global']);
  });

  it('falls back to its own keys when enableWebTrace got none', () => {
    enableWebTrace();
    assert.deepEqual(activeKeys(resolveWebOptions({ hmacKeys: 'own', enabled: false })), ['own']);
  });

  it('is off after disableWebTrace whatever its own options say', () => {
    enableWebTrace('global');
    disableWebTrace();
    assert.equal(activeKeys(resolveWebOptions({ hmacKeys: 'own', enabled: true })), undefined);
  });
});
