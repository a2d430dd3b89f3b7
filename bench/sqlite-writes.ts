// Shared by the SQLite benches: time each batch the driver writes, and queue N db spans in chunks.
import type { Driver } from '../src/drivers/driver.js';
import type { SqliteDriver } from '../src/drivers/sqlite/driver.js';
import { createNotifier, type Notifier, type NotifierOptions } from '../src/notifier/create.js';
import { Profiler } from '../src/core/profiler.js';
import { runWithProfiler } from '../src/core/current.js';
import { setNotifier } from '../src/notifier/notifier.js';

/** Wraps the driver's notifyBatch so each call's synchronous time (ms) lands in the returned array. */
export function timeEachBatch(driver: Driver): number[] {
  const times: number[] = [];
  const notifyBatch = driver.notifyBatch.bind(driver);
  driver.notifyBatch = (batch) => {
    const t0 = performance.now();
    try {
      return notifyBatch(batch);
    } finally {
      times.push(performance.now() - t0);
    }
  };
  return times;
}

/** Records `spans` db spans on `profiler`, flushing every 10k (below the queue bound, so nothing drops). */
export async function writeDbSpans(profiler: Profiler, notifier: Notifier, spans: number): Promise<void> {
  for (let done = 0; done < spans;) {
    for (let i = 0; i < 10_000 && done < spans; i++, done++) {
      profiler.start('db', { db: { statement: 'SELECT * FROM servers WHERE id = ?', params: [done] } });
      profiler.stop();
    }
    await notifier.flush();
  }
}

/**
 * Writes `spans` db spans of one trace through a fresh notifier on `connectionString`, timed by
 * `time` (creating the spans included), and how long each batch kept the event loop busy (ms).
 * why: one span of another trace goes first, so the writer thread is up before the clock starts
 * (its start-up is a one-time cost per process, not a cost per span).
 */
export async function writeTraceThroughNotifier<T>(
  connectionString: string,
  spans: number,
  options: NotifierOptions,
  time: (run: () => Promise<void>) => Promise<T>,
): Promise<{ timing: T; baseId: string; busyMs: number[]; batchSize: number }> {
  const notifier = createNotifier(connectionString, options);
  setNotifier(notifier);
  const warm = new Profiler('key');
  warm.start('warm-up');
  warm.stop();
  await notifier.flush();
  const driver = notifier.driver() as SqliteDriver;
  const busyMs = timeEachBatch(driver);
  const profiler = new Profiler('key');
  const timing = await time(() => runWithProfiler(profiler, () => writeDbSpans(profiler, notifier, spans)));
  const stats = notifier.stats();
  if (stats.dropped || stats.failed) throw new Error(`bench invalid: ${JSON.stringify(stats)}`);
  await notifier.shutdown();
  setNotifier(undefined);
  return {
    timing,
    baseId: profiler.getBaseId(),
    busyMs: busyMs.sort((a, b) => a - b),
    batchSize: driver.preferredBatchSize,
  };
}
