// Deadlines of the notifier: a write that never settles, flush(), shutdown() and flushOnExit against a store that never answers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BatchingQueue } from '../../../src/notifier/queue.js';
import { createNotifier } from '../../../src/notifier/create.js';
import { registerDriver, type Driver } from '../../../src/drivers/driver.js';
import { setLogSink } from '../../../src/log.js';
import { settleWithin } from '../../helpers/silent-server.js';
import { numberedNote as note } from '../../helpers/numbered-note.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** A driver whose writes (and, optionally, close) never settle: a store that accepted the connection and went silent. */
function hangingDriver(closeHangs = false): Driver {
  const never = new Promise<never>(() => {});
  return {
    scheme: 'hang',
    notifyBatch: () => never,
    describe: () => 'a store that never answers',
    close: () => (closeHangs ? never : undefined),
  };
}
let seq = 0;
function hangScheme(closeHangs = false): string {
  const scheme = `hang${++seq}`;
  registerDriver(scheme, () => hangingDriver(closeHangs));
  return `${scheme}://`;
}

describe('notifier deadlines', () => {
  it('a batch whose write never settles is counted as failed after writeTimeoutMs (+1 s), and the next batch is written', async () => {
    setLogSink(() => {});
    try {
      const q = new BatchingQueue('wedged', { maxBatchSize: 2, writeTimeoutMs: 100 });
      let calls = 0;
      const written: number[] = [];
      q.attach({
        notifyBatch: (b) => {
          calls++;
          if (calls === 1) return new Promise<void>(() => {});
          written.push(b.length);
        },
      });
      for (let i = 0; i < 4; i++) q.push(note(i));
      const outcome = await settleWithin(q.flush(), 4 * 1100);
      assert.ok(outcome.settled, 'flush settles');
      assert.deepEqual(q.stats, { queued: 0, written: 2, dropped: 0, failed: 2 });
      assert.deepEqual(written, [2]);
    } finally {
      setLogSink(undefined);
    }
  });

  it('flush({ timeoutMs }) returns at its deadline and leaves the rest queued', async () => {
    const notifier = createNotifier(hangScheme(), { writeTimeoutMs: 60_000, maxBatchSize: 10 });
    for (let i = 0; i < 50; i++) notifier(note(i));
    const outcome = await settleWithin(notifier.flush({ timeoutMs: 200 }), 4 * 200);
    assert.ok(outcome.settled, 'flush settles');
    const stats = notifier.stats();
    assert.equal(stats.written, 0);
    assert.equal(stats.queued, 40, 'one batch in flight, the rest still queued');
    await notifier.shutdown({ timeoutMs: 10 });
  });

  it('shutdown({ timeoutMs }) against a store that never answers settles and counts everything left as failed', async () => {
    setLogSink(() => {});
    try {
      const notifier = createNotifier(hangScheme(true), { writeTimeoutMs: 60_000, maxBatchSize: 10 });
      for (let i = 0; i < 50; i++) notifier(note(i));
      const outcome = await settleWithin(notifier.shutdown({ timeoutMs: 300 }), 4 * 1300);
      assert.ok(outcome.settled, 'shutdown settles although writes and close never do');
      assert.deepEqual(notifier.stats(), { queued: 0, written: 0, dropped: 0, failed: 50 });
      notifier(note(51));
      assert.equal(notifier.stats().dropped, 1, 'dropped after shutdown');
    } finally {
      setLogSink(undefined);
    }
  });

  it('shutdown() waits for a driver that is still starting only until its deadline', async () => {
    setLogSink(() => {});
    try {
      const scheme = `starting${++seq}`;
      registerDriver(scheme, () => new Promise<Driver>(() => {}));
      const notifier = createNotifier(`${scheme}://`);
      for (let i = 0; i < 5; i++) notifier(note(i));
      const outcome = await settleWithin(notifier.shutdown({ timeoutMs: 200 }), 4 * 1200);
      assert.ok(outcome.settled);
      assert.deepEqual(notifier.stats(), { queued: 0, written: 0, dropped: 0, failed: 5 });
    } finally {
      setLogSink(undefined);
    }
  });

  it('flushOnExit({ timeoutMs }): on SIGTERM with a store that never answers, the process still ends by the signal', async () => {
    const code = `
      import { createNotifier, setNotifier, flushOnExit, runWithProfiler, Profiler, start, stop } from './src/index.ts';
      import { registerDriver } from './src/drivers/driver.ts';
      const never = new Promise(() => {});
      registerDriver('hang', () => ({ scheme: 'hang', notifyBatch: () => never, getReport: () => never,
        listTraces: () => never, listErrorTraces: () => never, describe: () => 'hang', close: () => never }));
      setNotifier(createNotifier('hang://', { writeTimeoutMs: 60_000 }));
      flushOnExit({ timeoutMs: 500 });
      runWithProfiler(new Profiler('k'), () => { for (let i = 0; i < 100; i++) { start('work'); stop(); } });
      setInterval(() => {}, 1000);
      console.log('ready');
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGTERM');
    const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once('exit', (exitCode, signal) => resolve({ code: exitCode, signal })),
    );
    const outcome = await settleWithin(ended, 4 * 1500);
    if (!outcome.settled) child.kill('SIGKILL');
    assert.ok(outcome.settled, 'the process ends');
    assert.deepEqual(outcome.value, { code: null, signal: 'SIGTERM' });
  });
});
