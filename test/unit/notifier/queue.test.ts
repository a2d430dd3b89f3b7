import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchingQueue } from '../../../src/notifier/queue.js';
import { estimateNotificationBytes } from '../../../src/notifier/size-estimate.js';
import { currentProfiler } from '../../../src/core/context.js';
import { runWithProfiler } from '../../../src/core/current.js';
import { Profiler } from '../../../src/core/profiler.js';
import { setLogSink } from '../../../src/log.js';
import type { Notification } from '../../../src/core/payload.js';
import { numberedNote as note } from '../../helpers/numbered-note.js';

describe('BatchingQueue', () => {
  it('writes in batches of at most maxBatchSize, in order', async () => {
    const batches: number[][] = [];
    const q = new BatchingQueue('test', { maxBatchSize: 10 });
    q.attach({ notifyBatch: (b) => void batches.push(b.map((n) => Number(n.trace_id.slice(1)))) });
    for (let i = 0; i < 35; i++) q.push(note(i));
    await q.flush();
    assert.deepEqual(
      batches.map((b) => b.length),
      [10, 10, 10, 5],
    );
    assert.deepEqual(
      batches.flat(),
      Array.from({ length: 35 }, (_, i) => i),
    );
    assert.deepEqual(q.stats, { queued: 0, written: 35, dropped: 0, failed: 0 });
  });

  it('keeps order and byte count while notifications arrive during writes (its slots wrap around and grow)', async () => {
    const written: number[] = [];
    let release: () => void = () => {};
    let first = true;
    const q = new BatchingQueue('test', { maxBatchSize: 50 });
    q.attach({
      notifyBatch: (b) => {
        written.push(...b.map((n) => Number(n.trace_id.slice(1))));
        if (!first) return;
        first = false;
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    const bytesOf = (from: number, to: number): number => {
      let sum = 0;
      for (let i = from; i < to; i++) sum += estimateNotificationBytes(note(i));
      return sum;
    };
    for (let i = 0; i < 60; i++) q.push(note(i));
    // a full batch is handed over from a setImmediate; one queued after it runs after it (a 0 ms
    // timer may fire first: Node 24 ran it before the check phase)
    await new Promise<void>((resolve) => setImmediate(resolve)); // batch 0–49 is in flight
    assert.equal(written.length, 50);
    for (let i = 60; i < 100; i++) q.push(note(i)); // wraps around the start of the slots
    for (let i = 100; i < 130; i++) q.push(note(i)); // more than the slots hold: they grow
    assert.equal(q.stats.queued, 80);
    assert.equal(q.queuedBytes, bytesOf(50, 130));
    release();
    await q.flush();
    assert.deepEqual(
      written,
      Array.from({ length: 130 }, (_, i) => i),
    );
    assert.equal(q.queuedBytes, 0);
    assert.deepEqual(q.stats, { queued: 0, written: 130, dropped: 0, failed: 0 });
  });

  it('a partial batch is written after flushIntervalMs without flush()', async () => {
    let written = 0;
    const q = new BatchingQueue('test', { flushIntervalMs: 5 });
    q.attach({ notifyBatch: (b) => void (written += b.length) });
    q.push(note(1));
    await sleep(30);
    assert.equal(written, 1);
  });

  it('drops and counts when full, with one warning', async () => {
    const warnings: string[] = [];
    setLogSink((_level, message) => warnings.push(message));
    try {
      const q = new BatchingQueue('full-test', { maxQueueSize: 5 });
      for (let i = 0; i < 8; i++) q.push(note(i));
      assert.equal(q.stats.queued, 5);
      assert.equal(q.stats.dropped, 3);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /dropped/);
    } finally {
      setLogSink(undefined);
    }
  });

  it('a driver that throws or rejects is counted as failed and never reaches the caller', async () => {
    setLogSink(() => {});
    try {
      const q = new BatchingQueue('failing', { maxBatchSize: 2 });
      let calls = 0;
      q.attach({
        notifyBatch: () => {
          calls++;
          if (calls === 1) throw new Error('sync failure');
          return Promise.reject(new Error('async failure'));
        },
      });
      for (let i = 0; i < 4; i++) q.push(note(i));
      await q.flush();
      assert.deepEqual(q.stats, { queued: 0, written: 0, dropped: 0, failed: 4 });
    } finally {
      setLogSink(undefined);
    }
  });

  it('recovers when the store comes back', async () => {
    setLogSink(() => {});
    try {
      let up = false;
      const q = new BatchingQueue('flaky');
      q.attach({
        notifyBatch: () => {
          if (!up) throw new Error('down');
        },
      });
      q.push(note(1));
      await q.flush();
      up = true;
      q.push(note(2));
      await q.flush();
      assert.deepEqual(q.stats, { queued: 0, written: 1, dropped: 0, failed: 1 });
    } finally {
      setLogSink(undefined);
    }
  });

  it('driver I/O runs outside any trace context', async () => {
    let seen: unknown = 'unset';
    const q = new BatchingQueue('ctx');
    q.attach({
      notifyBatch: async () => {
        await sleep(1);
        seen = currentProfiler();
      },
    });
    await runWithProfiler(new Profiler('k'), async () => {
      q.push(note(1));
      await sleep(100);
    });
    await q.flush();
    assert.equal(seen, undefined);
  });

  it('waits (bounded) until a sink is attached', async () => {
    const q = new BatchingQueue('late', { maxQueueSize: 3 });
    for (let i = 0; i < 5; i++) q.push(note(i));
    let written = 0;
    q.attach({ notifyBatch: (b) => void (written += b.length) });
    await q.flush();
    assert.equal(written, 3);
    assert.equal(q.stats.dropped, 2);
  });
});

describe('BatchingQueue byte bound', () => {
  const big = (i: number): Notification => ({ ...note(i), info: { host: 'h', blob: 'x'.repeat(10_000) } });

  it('drops and counts notifications beyond maxQueueBytes, with one warning naming the bound', () => {
    const warnings: string[] = [];
    setLogSink((_level, message) => warnings.push(message));
    try {
      const q = new BatchingQueue('bytes-test', { maxQueueBytes: 50_000 });
      for (let i = 0; i < 10; i++) q.push(big(i));
      assert.equal(q.stats.queued, 4);
      assert.equal(q.stats.dropped, 6);
      assert.ok(q.queuedBytes <= 50_000 && q.queuedBytes > 40_000, `queuedBytes ${q.queuedBytes}`);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /queue full at 50000 bytes/);
    } finally {
      setLogSink(undefined);
    }
  });

  it('frees the bytes of what was written, so later notifications fit again', async () => {
    const q = new BatchingQueue('bytes-free', { maxQueueBytes: 50_000 });
    let written = 0;
    q.attach({ notifyBatch: (b) => void (written += b.length) });
    for (let i = 0; i < 4; i++) q.push(big(i));
    await q.flush();
    assert.equal(q.queuedBytes, 0);
    for (let i = 0; i < 4; i++) q.push(big(i));
    await q.flush();
    assert.equal(written, 8);
    assert.deepEqual(q.stats, { queued: 0, written: 8, dropped: 0, failed: 0 });
  });

  it('the default bound holds small notifications by the hundred thousand bytes, not by the count', () => {
    setLogSink(() => {});
    try {
      const q = new BatchingQueue('bytes-default');
      for (let i = 0; i < 5_000; i++) q.push(big(i));
      // 32 MiB / ~10 KB each: about 3,300 fit, the rest is dropped although the count bound is 100,000
      assert.ok(q.stats.queued > 3_000 && q.stats.queued < 3_400, `queued ${q.stats.queued}`);
      assert.equal(q.stats.queued + q.stats.dropped, 5_000);
    } finally {
      setLogSink(undefined);
    }
  });
});

describe('BatchingQueue batch size', () => {
  it('uses the sink’s preferred batch size unless the user set one', async () => {
    const sizes: number[] = [];
    const sink = { preferredBatchSize: 3, notifyBatch: (b: readonly Notification[]) => void sizes.push(b.length) };
    const q = new BatchingQueue('pref');
    q.attach(sink);
    for (let i = 0; i < 7; i++) q.push(note(i));
    await q.flush();
    assert.deepEqual(sizes, [3, 3, 1]);
    sizes.length = 0;
    const explicit = new BatchingQueue('explicit', { maxBatchSize: 5 });
    explicit.attach(sink);
    for (let i = 0; i < 7; i++) explicit.push(note(i));
    await explicit.flush();
    assert.deepEqual(sizes, [5, 2]);
  });
});

describe('BatchingQueue writes in flight', () => {
  /** A sink whose writes finish only when the test says so; records the most at once. */
  function slowSink(maxWritesInFlight?: number) {
    const pending: Array<() => void> = [];
    const written: number[] = [];
    let active = 0;
    let most = 0;
    const sink = {
      preferredBatchSize: 2,
      maxWritesInFlight,
      notifyBatch: (batch: readonly Notification[]) => {
        active++;
        most = Math.max(most, active);
        return new Promise<void>((resolve) =>
          pending.push(() => {
            active--;
            for (const n of batch) written.push(Number(n.trace_id.slice(1)));
            resolve();
          }),
        );
      },
    };
    /** Finishes the writes started so far, oldest first, until the queue is drained. */
    async function drain(q: BatchingQueue): Promise<void> {
      const flushed = q.flush();
      while (pending.length > 0 || active > 0) {
        pending.shift()?.();
        await new Promise((r) => setImmediate(r));
      }
      await flushed;
    }
    return { sink, written, drain, most: () => most };
  }

  for (const [limit, expected] of [
    [undefined, 1],
    [2, 2],
    [3, 3],
  ] as const) {
    it(`a sink allowing ${limit ?? 'the default of'} writes in flight gets at most ${expected} at once, in order`, async () => {
      const { sink, written, drain, most } = slowSink(limit);
      const q = new BatchingQueue(`in-flight-${limit}`);
      q.attach(sink);
      for (let i = 0; i < 20; i++) q.push(note(i));
      await drain(q);
      assert.equal(most(), expected);
      assert.deepEqual(
        written,
        Array.from({ length: 20 }, (_, i) => i),
      );
      assert.equal(q.stats.written, 20);
    });
  }
});
