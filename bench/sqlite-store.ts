// Issue 4 bench: SQLite write throughput through the notifier, and getReport + render for 10k/100k spans.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNotifier, Profiler, runWithProfiler, setNotifier } from '../src/index.js';
import { createSqliteDriver } from '../src/drivers/sqlite.js';
import { renderJson } from '../src/report/json.js';
import { renderHtml } from '../src/report/html.js';
import { row } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'osp-bench-'));
const connectionString = `sqlite:///${join(dir, 'traces.db')}`;

/** Writes `spans` spans of one trace through a real notifier; returns spans/s and the trace id. */
async function writeSpans(spans: number): Promise<{ perSecond: number; baseId: string }> {
  const notifier = createNotifier(connectionString, { project: 'bench', service: 'api', maxBatchSize: 2000 });
  setNotifier(notifier);
  const profiler = new Profiler('key');
  const t0 = process.hrtime.bigint();
  await runWithProfiler(profiler, async () => {
    for (let done = 0; done < spans;) {
      // why: chunks below the queue bound, so nothing is dropped while the driver catches up
      for (let i = 0; i < 10_000 && done < spans; i++, done++) {
        profiler.start('db', { db: { statement: 'SELECT * FROM servers WHERE id = ?', params: [done] } });
        profiler.stop();
      }
      await notifier.flush();
    }
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const stats = notifier.stats();
  if (stats.dropped || stats.failed) throw new Error(`bench invalid: ${JSON.stringify(stats)}`);
  await notifier.shutdown();
  setNotifier(undefined);
  return { perSecond: spans / seconds, baseId: profiler.getBaseId() };
}

async function reportTime(baseId: string): Promise<{ report: number; json: number; html: number }> {
  const driver = createSqliteDriver(connectionString, { readonly: true });
  const t0 = performance.now();
  const report = await driver.getReport(baseId);
  const t1 = performance.now();
  renderJson(report);
  const t2 = performance.now();
  renderHtml(report);
  const t3 = performance.now();
  driver.close();
  return { report: t1 - t0, json: t2 - t1, html: t3 - t2 };
}

try {
  console.log(`\nosprofiler SQLite store benchmark — Node ${process.version}\n`);
  const small = await writeSpans(10_000);
  const big = await writeSpans(100_000);
  row('write through the notifier (10k spans)', `${Math.round(small.perSecond)} spans/s`);
  row(
    'write through the notifier (100k spans)',
    `${Math.round(big.perSecond)} spans/s`,
    `target >= 100k; Python SQL driver < 1,000 notifications/s`,
  );
  for (const [label, baseId, python] of [
    ['10k', small.baseId, 0.37],
    ['100k', big.baseId, 5.2],
  ] as const) {
    const t = await reportTime(baseId);
    const total = (t.report + t.json) / 1000;
    row(`getReport ${label} spans`, `${t.report.toFixed(0)} ms`);
    row(
      `getReport + JSON ${label} spans`,
      `${(total * 1000).toFixed(0)} ms`,
      `Python ${python} s → ${(python / total).toFixed(1)}x faster${label === '100k' ? '; target <= 500 ms' : ''}`,
    );
    row(`render HTML ${label} spans`, `${t.html.toFixed(0)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
