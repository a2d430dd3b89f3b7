// mongodb:// against a real server: runs when OSPROFILER_TEST_MONGODB_URL is set (e.g. mongodb://127.0.0.1:27017).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createMongoDriver, type MongoDriver } from '../../src/drivers/mongodb/driver.js';
import { failedWsgiSpan } from '../helpers/failed-span.js';

const URL_ = process.env.OSPROFILER_TEST_MONGODB_URL;
const skip = URL_ ? false : 'set OSPROFILER_TEST_MONGODB_URL (a mongodb:// URL) to run against a real MongoDB server';

describe('mongodb driver against a real server', { skip }, () => {
  const dbName = `osprofiler_test_${process.pid}_${Date.now()}`;
  let driver: MongoDriver | undefined;
  after(async () => {
    if (driver === undefined) return;
    await driver.close();
    const { MongoClient } = await import('mongodb');
    const client = new MongoClient(URL_!);
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  it('writes a trace and reads it back as a report, a list entry and an error trace', async () => {
    driver = await createMongoDriver(URL_!, { project: 'nova', service: 'api', filterErrorTrace: true, dbName });
    const base = randomUUID();
    await driver.notifyBatch(failedWsgiSpan(base));
    const report = await driver.getReport(base);
    assert.equal(report.children.length, 1);
    assert.equal(report.children[0].info.finished, 4);
    assert.equal(report.children[0].info.exception, 'E');
    assert.deepEqual(
      (await driver.listTraces()).find((t) => t.base_id === base),
      { base_id: base, timestamp: '2024-05-14T09:30:12.345678' },
    );
    assert.deepEqual(await driver.listErrorTraces(), [{ base_id: base, timestamp: '2024-05-14T09:30:12.350001' }]);
  });
});
