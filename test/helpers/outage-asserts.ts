// The promises every store-outage test checks: no failed request, bounded memory, every loss counted, prompt resume, one log line.
import { strict as assert } from 'node:assert';
import type { OutageFigures } from './outage.js';

/** RSS growth allowed during the outage (the queue is capped at a few thousand notifications). */
const MAX_RSS_GROWTH = 64 * 1024 * 1024;

/** Asserts the figures of {@link runOutage}; `logLine` matches the notifier's rate-limited line. */
export function assertCleanOutage(f: OutageFigures, logLine: RegExp): void {
  assert.ok(f.requests > 500, `steady load (${f.requests} requests)`);
  assert.equal(f.failedRequests, 0, 'every request succeeds');
  assert.ok(f.atStop.written > 0, 'spans were written before the outage');
  const lost = f.final.failed + f.final.dropped;
  assert.ok(lost > 0, 'the outage lost notifications, and counted them');
  // why: every notification of every request is accounted for: written, failed or dropped.
  assert.equal(f.final.queued, 0, 'the queue drained');
  assert.equal(
    f.final.written + f.final.failed + f.final.dropped,
    2 * f.final.handled,
    'every notification is counted',
  );
  // why: at-most-once: a batch whose reply was lost may be stored although counted as failed.
  assert.ok(f.stored >= f.final.written, `stored ${f.stored} >= written ${f.final.written}`);
  assert.ok(f.stored <= f.final.written + f.final.failed, `stored ${f.stored} <= written + failed`);
  assert.ok(
    f.peakRssDuringOutage - f.rssBefore < MAX_RSS_GROWTH,
    `RSS grew by ${Math.round((f.peakRssDuringOutage - f.rssBefore) / 1048576)} MiB`,
  );
  assert.ok(f.resumeMs !== undefined, 'writing resumed after the store returned');
  assert.ok(f.resumeMs < 2000, `writing resumed ${f.resumeMs} ms after the store returned`);
  const lines = f.stderr.split('\n').filter((line) => line !== '');
  assert.ok(lines.length >= 1, 'the outage is reported');
  for (const line of lines) assert.match(line, logLine, `only the notifier's line is printed:\n${f.stderr}`);
  assert.ok(lines.length <= 2, `rate-limited (one line a minute per kind):\n${f.stderr}`);
}
