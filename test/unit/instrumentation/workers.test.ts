import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { currentProfiler } from '../../../src/core/context.js';
import { runWithProfiler } from '../../../src/core/current.js';
import type { Notification } from '../../../src/core/payload.js';
import { Profiler } from '../../../src/core/profiler.js';
import {
  restoreInWorker,
  runInWorkerTrace,
  traceWorkerData,
  WORKER_TRACE_KEY,
} from '../../../src/instrumentation/workers.js';
import { withTrace } from '../../../src/core/trace.js';
import { captureEachTest } from '../../helpers/capture.js';

const BASE = 'c0ffee00-0000-4000-8000-000000000001';
const PARENT = '11111111-1111-4111-8111-111111111111';
const TSX_API = import.meta.resolve('tsx/esm/api');
const src = (path: string) => new URL(`../../../src/${path}`, import.meta.url).href;

const sent = captureEachTest();

/**
 * Runs `body` (the text of an async function taking `m`, the imported modules, and `data`, the
 * workerData) in a real worker thread with TypeScript support; resolves with what it returns.
 */
async function runWorker(body: string, workerData: Record<string, unknown>): Promise<any> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      (await import(${JSON.stringify(TSX_API)})).register();
      const m = {
        workers: await import(${JSON.stringify(src('instrumentation/workers.ts'))}),
        trace: await import(${JSON.stringify(src('core/trace.ts'))}),
        current: await import(${JSON.stringify(src('core/current.ts'))}),
        notifier: await import(${JSON.stringify(src('notifier/notifier.ts'))}),
      };
      const result = await (async (m, data) => { ${body} })(m, workerData);
      parentPort.postMessage({ ok: true, result });
    })().catch((error) => parentPort.postMessage({ ok: false, error: String(error && error.stack || error) }));
  `;
  const worker = new Worker(code, { eval: true, workerData });
  const [reply] = await Promise.all([
    new Promise<any>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }),
    new Promise((resolve) => worker.once('exit', resolve)),
  ]);
  if (!reply.ok) throw new Error(`worker failed: ${reply.error}`);
  return reply.result;
}

/** Waits until `count` notifications arrived (forwarded ones come asynchronously). */
async function received(count: number): Promise<Notification[]> {
  for (let i = 0; i < 200 && sent.length < count; i++) await sleep(5);
  return sent;
}

const inTrace = <R>(fn: () => R): R => runWithProfiler(new Profiler('secret', BASE, PARENT), fn);

describe('traceWorkerData()', () => {
  it('is {} outside a trace', () => {
    assert.deepEqual(traceWorkerData(), {});
  });

  it('carries the key, the trace and the current point as parent', () => {
    const data = inTrace(() => withTrace('job', undefined, () => traceWorkerData()));
    const job = sent.find((n) => n.name === 'job-start')!;
    const trace = data[WORKER_TRACE_KEY]!;
    assert.equal(trace.hmac_key, 'secret');
    assert.equal(trace.base_id, BASE);
    assert.equal(trace.parent_id, job.trace_id);
    assert.match(trace.notify_channel!, /^osprofiler\.notify\.\d+$/);
  });
});

describe('in a real worker thread', () => {
  it('restoreInWorker() joins the trace; the worker’s points arrive in this thread as children of the caller’s point', async () => {
    const workerData = inTrace(() => withTrace('job', undefined, () => ({ job: 7, ...traceWorkerData() })));
    const job = sent.find((n) => n.name === 'job-start')!;
    const result = await runWorker(
      `
      const profiler = m.workers.restoreInWorker();
      await m.trace.withTrace('work', { job: data.job }, async () => {
        await new Promise((r) => setTimeout(r, 2));
        m.trace.withTrace('step', undefined, () => {});
      });
      return { base: profiler.getBaseId(), key: profiler.hmacKey, current: m.current.get()?.getId() };
      `,
      workerData,
    );
    assert.deepEqual(result, { base: BASE, key: 'secret', current: job.trace_id });
    const all = await received(6);
    const fromWorker = all.filter((n) => n.name.startsWith('work') || n.name.startsWith('step'));
    assert.deepEqual(
      fromWorker.map((n) => n.name),
      ['work-start', 'step-start', 'step-stop', 'work-stop'],
    );
    const work = fromWorker[0]!;
    assert.equal(work.base_id, BASE);
    assert.equal(work.parent_id, job.trace_id, 'the worker’s top point is a child of the caller’s point');
    assert.deepEqual(work.info.job, 7);
    assert.equal(fromWorker[1]!.parent_id, work.trace_id);
  });

  it('runInWorkerTrace() runs fn in the trace and leaves the rest of the worker untraced', async () => {
    const workerData = inTrace(() => ({ ...traceWorkerData() }));
    const result = await runWorker(
      `
      const inside = m.workers.runInWorkerTrace(data, () => [m.current.get()?.getBaseId(), m.current.get()?.getId()]);
      return { inside, after: m.current.get() === undefined };
      `,
      workerData,
    );
    assert.deepEqual(result, { inside: [BASE, PARENT], after: true });
  });

  it('a worker with its own notifier keeps its notifications', async () => {
    const workerData = inTrace(() => ({ ...traceWorkerData() }));
    const result = await runWorker(
      `
      const own = [];
      m.notifier.setNotifier((n) => own.push(n.name));
      m.workers.runInWorkerTrace(data, () => m.trace.withTrace('local', undefined, () => {}));
      return own;
      `,
      workerData,
    );
    assert.deepEqual(result, ['local-start', 'local-stop']);
    await sleep(30);
    assert.equal(sent.length, 0);
  });

  it('without trace data nothing is restored and fn still runs', async () => {
    const result = await runWorker(
      `
      return {
        restored: m.workers.restoreInWorker() === undefined,
        ran: m.workers.runInWorkerTrace(data, () => m.current.get() === undefined),
      };
      `,
      { ...traceWorkerData() },
    );
    assert.deepEqual(result, { restored: true, ran: true });
  });
});

describe('in this thread', () => {
  it('runInWorkerTrace() accepts the trace object itself and ignores invalid data', () => {
    const trace = { hmac_key: 'k', base_id: BASE, parent_id: PARENT };
    assert.equal(
      runInWorkerTrace(trace, () => currentProfiler()?.getId()),
      PARENT,
    );
    for (const bad of [null, 42, 'x', { [WORKER_TRACE_KEY]: { base_id: 1 } }, { [WORKER_TRACE_KEY]: null }]) {
      assert.equal(
        runInWorkerTrace(bad, () => currentProfiler()),
        undefined,
      );
    }
    assert.equal(restoreInWorker(null), undefined);
  });
});
