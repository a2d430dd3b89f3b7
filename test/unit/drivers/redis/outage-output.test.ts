// What a service prints while its Redis store is down: the notifier's rate-limited line, nothing else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../helpers/services.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

// A service writing spans for ~1.5 s to a Redis nobody listens on (every batch fails at once).
const childCode = (port: number) => `
  import { createNotifier, setNotifier, runWithProfiler, Profiler, start, stop, notifierStats } from './src/index.ts';
  const notifier = createNotifier('redis://127.0.0.1:${port}/0', { flushIntervalMs: 5 });
  setNotifier(notifier);
  const until = Date.now() + 1500;
  const timer = setInterval(() => {
    runWithProfiler(new Profiler('k'), () => { start('work'); stop(); });
    if (Date.now() > until) {
      clearInterval(timer);
      setTimeout(async () => { await notifier.shutdown(); console.log(JSON.stringify(notifierStats())); }, 200);
    }
  }, 2);
`;

describe('a Redis outage', () => {
  it('prints only the documented rate-limited warning lines (no MaxListenersExceededWarning)', async () => {
    const port = await freePort();
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', childCode(port)], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(out.status, 0, out.stderr);
    const stats = JSON.parse(out.stdout.trim().split('\n').pop()!) as { failed: number; written: number };
    assert.ok(stats.failed > 0, 'the failed writes are counted');
    assert.equal(stats.written, 0);
    const lines = out.stderr.split('\n').filter((line) => line !== '');
    assert.doesNotMatch(out.stderr, /MaxListenersExceededWarning/);
    // why: Node prints its "--trace-warnings" hint once after the first warning; every other line is ours.
    const ours = lines.filter((line) => !line.startsWith('(Use `node --trace-warnings'));
    assert.ok(ours.length >= 1, 'the outage is reported');
    for (const line of ours)
      assert.match(
        line,
        /OsprofilerWarning: osprofiler: writing \d+ notifications to redis:\/\/127\.0\.0\.1:\d+\/0 failed: Redis /,
      );
    assert.equal(ours.length, 1, `one line per minute, got:\n${out.stderr}`);
  });
});
