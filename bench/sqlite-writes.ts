// Shared by the SQLite benches: time each batch the driver writes, and queue N db spans in chunks.
import type { Driver } from '../src/drivers/driver.js';
import type { Notifier } from '../src/notifier/create.js';
import type { Profiler } from '../src/core/profiler.js';

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
