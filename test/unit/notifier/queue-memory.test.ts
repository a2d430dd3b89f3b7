// A burst of spans to a store that never comes up keeps the process's memory bounded (child process, RSS).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

// why: a child process, so the RSS measured is this scenario's alone. The driver never finishes
// starting (a store that cannot be reached), so everything waits in the queue or is dropped.
const childCode = `
  import { createNotifier, setNotifier, runWithProfiler, Profiler, notifierStats } from './src/index.ts';
  import { registerDriver } from './src/drivers/driver.ts';
  registerDriver('unreachable', () => new Promise(() => {}));
  setNotifier(createNotifier('unreachable://'));
  const profiler = new Profiler('key');
  const span = (i) => {
    profiler.start('db', i % 2 ? { db: { statement: 'SELECT * FROM t WHERE id = ?', params: [i] } } : undefined);
    profiler.stop();
  };
  runWithProfiler(profiler, () => { for (let i = 0; i < 1000; i++) span(i); });
  globalThis.gc();
  const before = process.memoryUsage().rss;
  runWithProfiler(profiler, () => { for (let i = 0; i < 100_000; i++) span(i); });
  const after = process.memoryUsage().rss;
  console.log(JSON.stringify({ growth: after - before, stats: notifierStats() }));
  process.exit(0);
`;

describe('notifier queue memory', () => {
  it('100k spans to an unreachable store keep RSS bounded and count what was dropped', () => {
    const out = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', childCode],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    assert.equal(out.status, 0, out.stderr);
    const { growth, stats } = JSON.parse(out.stdout.trim().split('\n').pop()!) as {
      growth: number;
      stats: { queued: number; dropped: number; written: number; failed: number };
    };
    // why: this asserts that memory is bounded (an unbounded queue grew by 103 MiB here); the
    // 64 MiB target of issue 17 is measured by `npm run bench:check`, since RSS under a parallel
    // test run varies by several MiB from run to run (66–71 MiB seen on Node 24).
    assert.ok(growth < 96 * 1024 * 1024, `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
    assert.ok(stats.dropped > 0, 'some notifications were dropped');
    assert.equal(stats.queued + stats.dropped, 202_000);
  });
});
