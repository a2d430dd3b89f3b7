import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { clean, get, init, runWithProfiler, start, stop } from '../../../src/core/current.js';
import { Profiler } from '../../../src/core/profiler.js';
import { trace, withTrace } from '../../../src/core/trace.js';
import { captureEachTest } from '../../helpers/capture.js';

const sent = captureEachTest(clean);

describe('init and clean in async functions (Python thread-local semantics)', () => {
  it('after `await job()` where job called init() then clean(), the caller is untraced', async () => {
    const work = trace('db')(async () => sleep(1));
    async function job(): Promise<string | undefined> {
      init('key');
      await work();
      const id = get()?.getBaseId();
      clean();
      return id;
    }
    const id = await job();
    assert.ok(id, 'job was traced while it ran');
    assert.equal(get(), undefined, 'the caller sees the trace gone');
    const before = sent.length;
    start('late');
    stop();
    await work();
    await withTrace('late', undefined, () => sleep(1));
    assert.equal(sent.length, before, 'nothing is recorded after clean()');
  });

  it('clean() reaches contexts that inherited the init, such as a timer scheduled before it', async () => {
    init('key');
    const seen = new Promise<Profiler | undefined>((resolve) => setTimeout(() => resolve(get()), 20));
    await sleep(1);
    clean();
    assert.equal(await seen, undefined);
  });

  it('init() after clean() starts a new trace', async () => {
    async function job(): Promise<string> {
      const id = init('key').getBaseId();
      await sleep(1);
      clean();
      return id;
    }
    const first = await job();
    const second = await job();
    assert.notEqual(first, second);
    assert.equal(get(), undefined);
  });

  it('clean() inside runWithProfiler leaves concurrent siblings of the same scope traced', async () => {
    const results = await runWithProfiler(new Profiler('k', 'scoped-base'), () =>
      Promise.all([
        (async () => {
          await sleep(1);
          clean();
          return get()?.getBaseId();
        })(),
        (async () => {
          await sleep(5);
          return get()?.getBaseId();
        })(),
      ]),
    );
    assert.deepEqual(results, [undefined, 'scoped-base']);
  });
});
