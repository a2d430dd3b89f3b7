// Sends a small trace through a real notifier into a store, for the driver integration tests that read it back.
import assert from 'node:assert/strict';
import { runWithProfiler } from '../../src/core/current.js';
import { Profiler } from '../../src/core/profiler.js';
import { createNotifier, type NotifierOptions } from '../../src/notifier/create.js';
import { setNotifier } from '../../src/notifier/notifier.js';

/**
 * Traces `wsgi` (with `wsgiInfo`) around `db` (SELECT 1) through a notifier for `url`, asserts that the
 * four notifications were written, and resolves with the trace's base id.
 */
export async function traceThroughNotifier(
  url: string,
  options: NotifierOptions,
  wsgiInfo?: Record<string, unknown>,
): Promise<string> {
  const notifier = createNotifier(url, options);
  setNotifier(notifier);
  const profiler = new Profiler('key');
  try {
    runWithProfiler(profiler, () => {
      profiler.start('wsgi', wsgiInfo);
      profiler.start('db', { db: { statement: 'SELECT 1' } });
      profiler.stop();
      profiler.stop();
    });
    await notifier.flush();
    assert.deepEqual(notifier.stats(), { queued: 0, written: 4, dropped: 0, failed: 0 });
  } finally {
    setNotifier(undefined);
    await notifier.shutdown();
  }
  return profiler.getBaseId();
}
