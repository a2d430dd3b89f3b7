// loginsight:// against a real VMware Log Insight / Aria Operations for Logs: runs when OSPROFILER_TEST_LOGINSIGHT_URL
// is set (loginsight://<user>:<password>@<host>, optionally ?verify=false for a self-signed certificate).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogInsightDriver } from '../../src/drivers/loginsight/driver.js';
import type { Notification } from '../../src/core/payload.js';

const CONNECTION = process.env.OSPROFILER_TEST_LOGINSIGHT_URL;
const skip = CONNECTION
  ? false
  : 'set OSPROFILER_TEST_LOGINSIGHT_URL (loginsight://user:password@host) to run against a real Log Insight server';

describe('loginsight driver against a real server', { skip }, () => {
  it('ingests a trace and finds it again with the query API', { timeout: 120_000 }, async () => {
    const driver = createLogInsightDriver(CONNECTION!, { project: 'nova', service: 'api' });
    const base = randomUUID();
    const span = randomUUID();
    const n = (name: string, timestamp: string): Notification => ({
      name,
      base_id: base,
      trace_id: span,
      parent_id: base,
      timestamp,
      info: { host: 'it-host' },
    });
    await driver.notifyBatch([
      n('wsgi-start', '2024-05-14T09:30:12.345678'),
      n('wsgi-stop', '2024-05-14T09:30:12.350001'),
    ]);
    // ingestion is asynchronous on the server: poll for up to a minute
    for (let i = 0; i < 30; i++) {
      const report = await driver.getReport(base);
      if (report.children.length === 1 && report.children[0].info.finished === 4) return;
      await sleep(2000);
    }
    assert.fail(`trace ${base} was not found in Log Insight within a minute`);
  });
});
