// The trace browser's query runner: identical queries share one run, results are reused briefly,
// different ones run one at a time, failures are not kept, and too many waiting ones are refused.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { BusyError, SharedQueries } from '../../../src/browser/shared-queries.js';

describe('SharedQueries', () => {
  it('50 concurrent identical queries run once and all get the result', async () => {
    const queries = new SharedQueries<number>();
    let runs = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        queries.run('list', async () => {
          runs++;
          await sleep(20);
          return 42;
        }),
      ),
    );
    assert.equal(runs, 1);
    assert.deepEqual(new Set(results), new Set([42]));
  });

  it('a result is reused within cacheMs and run again after it', async () => {
    const queries = new SharedQueries<number>({ cacheMs: 50 });
    let runs = 0;
    const run = async (): Promise<number> => ++runs;
    assert.equal(await queries.run('k', run), 1);
    assert.equal(await queries.run('k', run), 1);
    await sleep(80);
    assert.equal(await queries.run('k', run), 2);
  });

  it('different queries run one at a time, and other work runs between them', async () => {
    const queries = new SharedQueries<number>();
    let running = 0;
    let most = 0;
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const busy = (ms: number): void => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const ticksAt: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        queries.run(`k${i}`, async () => {
          running++;
          most = Math.max(most, running);
          ticksAt.push(ticks);
          busy(5);
          await sleep(1);
          running--;
          return i;
        }),
      ),
    );
    clearInterval(ticker);
    assert.equal(most, 1, 'never two at once');
    assert.ok(ticksAt[9]! > ticksAt[0]!, 'timers ran between the queries');
  });

  it('a failure is not kept: the next request runs the query again', async () => {
    const queries = new SharedQueries<number>();
    await assert.rejects(
      queries.run('k', async () => {
        throw new Error('store down');
      }),
      /store down/,
    );
    assert.equal(await queries.run('k', async () => 7), 7);
  });

  it('beyond maxWaiting different queries, a new one is refused with BusyError; memory stays bounded', async () => {
    const queries = new SharedQueries<number>({ maxWaiting: 3, maxCached: 2 });
    const slow = (v: number) => async (): Promise<number> => {
      await sleep(10);
      return v;
    };
    const waiting = [queries.run('a', slow(1)), queries.run('b', slow(2)), queries.run('c', slow(3))];
    await assert.rejects(queries.run('d', slow(4)), BusyError);
    assert.deepEqual(await Promise.all(waiting), [1, 2, 3]);
    let runs = 0;
    await queries.run('a', async () => ++runs);
    assert.equal(runs, 1, 'only the 2 newest results are kept: a was dropped');
    await queries.run('c', async () => ++runs);
    assert.equal(runs, 1, 'c is still kept');
  });
});
