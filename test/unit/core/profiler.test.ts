import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { clean, get, init, runWithProfiler, start, stop } from '../../../src/core/current.js';
import { Profiler } from '../../../src/core/profiler.js';
import { captureEachTest } from '../../helpers/capture.js';

const sent = captureEachTest(clean);

describe('profiler', () => {
  it('init starts the stack as [baseId, parentId ?? baseId]', () => {
    const p = new Profiler('key', 'b', 'p');
    assert.equal(p.getBaseId(), 'b');
    assert.equal(p.getId(), 'p');
    assert.equal(p.getParentId(), 'b');
    const q = new Profiler('key', 'b');
    assert.equal(q.getId(), 'b');
  });

  it('an empty base id starts a new trace id', () => {
    const p = new Profiler('key', '');
    assert.match(p.getBaseId(), /^[0-9a-f-]{36}$/);
  });

  it('init returns an existing profiler unchanged', () => {
    runWithProfiler(new Profiler('k', 'base-1'), () => {
      const p = init('other', 'base-2');
      assert.equal(p.getBaseId(), 'base-1');
    });
  });

  it('start/stop send paired notifications with the right ids', () => {
    runWithProfiler(new Profiler('k', 'base', 'parent'), () => {
      start('outer', { a: 1 });
      start('inner');
      stop();
      stop({ done: true });
    });
    assert.deepEqual(
      sent.map((n) => n.name),
      ['outer-start', 'inner-start', 'inner-stop', 'outer-stop'],
    );
    assert.equal(sent[0]!.parent_id, 'parent');
    assert.equal(sent[1]!.parent_id, sent[0]!.trace_id);
    assert.equal(sent[2]!.trace_id, sent[1]!.trace_id);
    assert.equal(sent[3]!.trace_id, sent[0]!.trace_id);
    assert.equal(sent[3]!.parent_id, 'parent');
    assert.deepEqual(Object.keys(sent[0]!), ['name', 'base_id', 'trace_id', 'parent_id', 'timestamp', 'info']);
    assert.equal(sent[0]!.info.a, 1);
    assert.equal(typeof sent[0]!.info.host, 'string');
    assert.equal(sent[3]!.info.done, true);
  });

  it("the caller's info object is not changed", () => {
    const info = Object.freeze({ a: 1 });
    runWithProfiler(new Profiler('k'), () => {
      start('x', info);
      stop();
    });
    assert.deepEqual(info, { a: 1 });
    assert.equal(sent.length, 2);
  });

  it('a stop with nothing open does nothing', () => {
    runWithProfiler(new Profiler('k', 'b'), () => {
      stop();
      stop();
      assert.equal(get()!.getId(), 'b');
    });
    assert.equal(sent.length, 0);
  });

  it('start and stop without a profiler do nothing', () => {
    start('x');
    stop();
    assert.equal(sent.length, 0);
    assert.equal(get(), undefined);
  });

  it('timestamps are UTC with six fractional digits and increase', () => {
    runWithProfiler(new Profiler('k'), () => {
      start('x');
      stop();
    });
    for (const n of sent) assert.match(n.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    assert.ok(sent[0]!.timestamp <= sent[1]!.timestamp);
    const now = Date.now();
    const ts = Date.parse(sent[0]!.timestamp + 'Z');
    assert.ok(Math.abs(now - ts) < 5000, 'close to wall clock');
  });

  it('clean removes the profiler from the current context', async () => {
    await runWithProfiler(new Profiler('k'), async () => {
      assert.ok(get());
      clean();
      assert.equal(get(), undefined);
    });
  });
});

describe('async context', () => {
  it('the profiler survives await, timers, promise chains, emitters and streams', async () => {
    const p = new Profiler('k', 'ctx-base');
    const seen: (string | undefined)[] = [];
    const emitter = new EventEmitter();
    await runWithProfiler(p, async () => {
      await sleep(1);
      seen.push(get()?.getBaseId());
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          seen.push(get()?.getBaseId());
          resolve();
        }, 1),
      );
      await Promise.resolve().then(() => seen.push(get()?.getBaseId()));
      emitter.on('ev', () => seen.push(get()?.getBaseId()));
      setImmediate(() => emitter.emit('ev'));
      await once(emitter, 'ev');
      const stream = Readable.from(['a', 'b']);
      for await (const _chunk of stream) seen.push(get()?.getBaseId());
    });
    assert.deepEqual(seen, Array(6).fill('ctx-base'));
    assert.equal(get(), undefined, 'the caller context is untouched');
  });

  it("1,000 concurrent requests never see each other's profiler", async () => {
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        runWithProfiler(new Profiler('k', `base-${i}`), async () => {
          await sleep(Math.random() * 5);
          start('work');
          await sleep(Math.random() * 5);
          const mine = get()!.getBaseId();
          stop();
          return mine === `base-${i}`;
        }),
      ),
    );
    assert.equal(results.filter(Boolean).length, 1000);
    const byBase = new Map<string, number>();
    for (const n of sent) byBase.set(n.base_id, (byBase.get(n.base_id) ?? 0) + 1);
    assert.equal(byBase.size, 1000);
    assert.ok([...byBase.values()].every((c) => c === 2));
  });

  it('init inside an async function applies to what that function awaits', async () => {
    const result = await (async () => {
      init('k', 'imperative-base');
      await sleep(1);
      return get()?.getBaseId();
    })();
    assert.equal(result, 'imperative-base');
  });
});
