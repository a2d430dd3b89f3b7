// createNotifier's cache and clearNotifierCache (Python's notifier.clear_notifier_cache).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { clearNotifierCache, createNotifier } from '../../../src/notifier/create.js';
import { flush, shutdown } from '../../../src/notifier/lifecycle.js';
import * as api from '../../../src/index.js';
import type { Notification } from '../../../src/core/payload.js';

function note(baseId: string): Notification {
  return {
    name: 'x-start',
    base_id: baseId,
    trace_id: randomUUID(),
    parent_id: baseId,
    project: 'p',
    service: 's',
    timestamp: '2026-01-01T00:00:00.000000',
    info: {},
  } as unknown as Notification;
}

test('createNotifier returns the cached notifier until clearNotifierCache() forgets it', async () => {
  const cs = `memory://create-cache-${randomUUID()}`;
  const first = createNotifier(cs);
  assert.equal(createNotifier(cs), first);
  clearNotifierCache();
  const second = createNotifier(cs);
  assert.notEqual(second, first, 'a new notifier for the same connection string');
  await second.shutdown();
  await first.shutdown();
});

test('a notifier forgotten by clearNotifierCache() still writes and is still flushed by flush()', async () => {
  const cs = `memory://create-forgotten-${randomUUID()}`;
  const forgotten = createNotifier(cs, { flushIntervalMs: 60_000 });
  clearNotifierCache();
  forgotten(note(randomUUID()));
  await flush();
  assert.equal(forgotten.stats().written, 1, 'nothing queued is lost');
  await shutdown();
});

test('the public API exports clearNotifierCache and listOpts (Python names)', () => {
  assert.equal(typeof api.clearNotifierCache, 'function');
  assert.equal(typeof api.listOpts, 'function');
  assert.deepEqual(
    api.listOpts().map(([group]) => group),
    ['profiler', 'profiler_jaeger', 'profiler_otlp'],
  );
});
