// The message of the ConfigError a call must throw, for the configuration tests that check what users read.
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';

/** Calls `fn`, asserts it throws a ConfigError, and returns that error's message. */
export function configErrorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  assert.fail('expected a ConfigError');
}
