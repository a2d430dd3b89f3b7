import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMongoDriver, mongoClientFactory, MongoDriver } from '../../../../src/drivers/mongodb/driver.js';
import { DriverMissingError, DriverUnavailableError } from '../../../../src/errors.js';
import type { Notification } from '../../../../src/core/payload.js';
import { buildReport } from '../../../../src/report/build.js';
import { FakeMongoClient } from '../../../helpers/mongodb-fake.js';

const B1 = 'c0ffee00-0000-4000-8000-000000000001';
const B2 = 'c0ffee00-0000-4000-8000-000000000002';

function n(
  name: string,
  baseId: string,
  traceId: string,
  timestamp: string,
  info: Record<string, unknown> = {},
): Notification {
  return { name, base_id: baseId, trace_id: traceId, parent_id: baseId, timestamp, info: { ...info, host: 'h' } };
}

async function driverWith(options = {}) {
  const client = new FakeMongoClient();
  const driver = await createMongoDriver('mongodb://u:secret@db.local:27017/admin', options, () => client);
  return { client, driver };
}

describe('mongodb driver', () => {
  it('stores a batch with one insertMany of copies with project and service added', async () => {
    const { client, driver } = await driverWith({ project: 'nova', service: 'api' });
    const batch = [
      n('a-start', B1, B1, '2024-01-01T00:00:00.000001'),
      n('a-stop', B1, B1, '2024-01-01T00:00:00.000002'),
    ];
    await driver.notifyBatch(batch);
    const inserts = client.calls.filter((c) => c.call === 'db.profiler.insertMany');
    assert.equal(inserts.length, 1);
    assert.deepEqual(inserts[0].args, [
      batch.map((p) => ({ ...p, project: 'nova', service: 'api' })),
      { ordered: false },
    ]);
    assert.equal('_id' in batch[0], false, "the caller's objects are not touched");
    assert.equal('project' in batch[0], false);
  });

  it('uses the osprofiler database unless dbName says otherwise (the URL path is the auth database)', async () => {
    const { client, driver } = await driverWith();
    await driver.notifyBatch([n('a-start', B1, B1, 't')]);
    assert.ok(client.data.has('osprofiler.profiler'));
    const other = await driverWith({ dbName: 'tracing' });
    await other.driver.notifyBatch([n('a-start', B1, B1, 't')]);
    assert.ok(other.client.data.has('tracing.profiler'));
  });

  it('creates the base_id index once, and a failing createIndex does not fail writes', async () => {
    const { client, driver } = await driverWith();
    await driver.notifyBatch([n('a-start', B1, B1, 't')]);
    await driver.notifyBatch([n('a-stop', B1, B1, 't')]);
    const index = client.calls.filter((c) => c.call === 'db.profiler.createIndex');
    assert.deepEqual(index, [{ call: 'db.profiler.createIndex', args: [{ base_id: 1 }, { name: 'base_id_1' }] }]);
  });

  it('upserts {base_id, timestamp} into profiler_error only with filterErrorTrace, last error winning', async () => {
    const off = await driverWith();
    await off.driver.notifyBatch([n('a-stop', B1, B1, 't1', { etype: 'E', message: 'm' })]);
    assert.equal(
      off.client.calls.some((c) => c.call === 'db.profiler_error.bulkWrite'),
      false,
    );

    const { client, driver } = await driverWith({ filterErrorTrace: true });
    await driver.notifyBatch([
      n('a-stop', B2, B2, '2024-01-01T00:00:00.000001', { etype: 'E', message: 'm' }),
      n('b-stop', B2, B2, '2024-01-01T00:00:00.000009', { etype: 'F', message: 'm' }),
      n('c-stop', B1, B1, '2024-01-01T00:00:00.000003', { etype: null }),
    ]);
    const [bulk] = client.calls.filter((c) => c.call === 'db.profiler_error.bulkWrite');
    assert.deepEqual(bulk.args[1], { ordered: true });
    assert.equal((bulk.args[0] as unknown[]).length, 2);
    assert.deepEqual(await driver.listErrorTraces(), [{ base_id: B2, timestamp: '2024-01-01T00:00:00.000009' }]);
    assert.deepEqual(client.calls.at(-1), {
      call: 'db.profiler_error.find',
      args: [{}, { projection: { base_id: 1, timestamp: 1, _id: 0 } }],
    });
  });

  it('getReport finds the trace without _id and builds the report', async () => {
    const { client, driver } = await driverWith({ project: 'p', service: 's' });
    await driver.notifyBatch([
      n('a-start', B1, B1, '2024-01-01T00:00:00.000000'),
      n('a-stop', B1, B1, '2024-01-01T00:00:00.005000'),
    ]);
    const report = await driver.getReport(B1);
    assert.deepEqual(client.calls.at(-1), {
      call: 'db.profiler.find',
      args: [{ base_id: B1 }, { projection: { _id: 0 } }],
    });
    assert.equal(report.children.length, 1);
    assert.equal(report.children[0].info.finished, 5);
    assert.equal('_id' in (report.children[0].info['meta.raw_payload.a-start'] as object), false);
    assert.deepEqual(await driver.getReport('unknown'), buildReport([]));
  });

  it("listTraces is one aggregation giving each trace's earliest notification, oldest trace first", async () => {
    const { client, driver } = await driverWith({ project: 'p', service: 's' });
    await driver.notifyBatch([
      n('b-start', B2, B2, '2024-01-01T00:00:05.000000'),
      n('a-start', B1, B1, '2024-01-01T00:00:02.000000'),
      n('b-stop', B2, B2, '2024-01-01T00:00:01.000000'),
      n('a-stop', B1, B1, '2024-01-01T00:00:03.000000'),
    ]);
    assert.deepEqual(await driver.listTraces(), [
      { base_id: B2, timestamp: '2024-01-01T00:00:01.000000' },
      { base_id: B1, timestamp: '2024-01-01T00:00:02.000000' },
    ]);
    assert.deepEqual(await driver.listTraces(['name', 'timestamp']), [
      { name: 'b-stop', timestamp: '2024-01-01T00:00:01.000000', base_id: B2 },
      { name: 'a-start', timestamp: '2024-01-01T00:00:02.000000', base_id: B1 },
    ]);
    assert.deepEqual(client.calls.at(-1), {
      call: 'db.profiler.aggregate',
      args: [MongoDriver.listTracesPipeline(['name', 'timestamp']), { allowDiskUse: true }],
    });
    assert.deepEqual(MongoDriver.listTracesPipeline(['base_id', 'timestamp']), [
      { $project: { _id: 0, base_id: 1, timestamp: 1 } },
      { $sort: { timestamp: 1 } },
      { $group: { _id: '$base_id', first: { $first: '$$ROOT' } } },
      { $replaceRoot: { newRoot: '$first' } },
      { $sort: { timestamp: 1 } },
    ]);
  });

  it('server errors become DriverUnavailableError naming the store without its password', async () => {
    const { client, driver } = await driverWith();
    client.failWith = new Error('Server selection timed out after 30000 ms');
    await assert.rejects(driver.notifyBatch([n('a-start', B1, B1, 't')]), (e: unknown) => {
      assert.ok(e instanceof DriverUnavailableError);
      assert.match(e.message, /mongodb:\/\/u:\*\*\*@db\.local:27017\/admin/);
      assert.match(e.message, /Server selection timed out/);
      assert.doesNotMatch(e.message, /secret/);
      return true;
    });
    await assert.rejects(driver.getReport(B1), DriverUnavailableError);
    await assert.rejects(driver.listTraces(), DriverUnavailableError);
  });

  it('describe names the store and close closes the client', async () => {
    const { client, driver } = await driverWith();
    assert.equal(
      driver.describe(),
      'MongoDB at mongodb://u:***@db.local:27017/admin, database osprofiler (collections profiler, profiler_error)',
    );
    await driver.close();
    assert.equal(client.closed, true);
  });

  it('a missing mongodb package gives DriverMissingError naming it', async () => {
    const factory = mongoClientFactory(async () => {
      throw Object.assign(new Error("Cannot find package 'mongodb' imported from /x.js"), {
        code: 'ERR_MODULE_NOT_FOUND',
      });
    });
    await assert.rejects(createMongoDriver('mongodb://h', {}, factory), (e: unknown) => {
      assert.ok(e instanceof DriverMissingError);
      assert.match(e.message, /npm install mongodb/);
      return true;
    });
  });

  it('the default factory loads the official driver lazily and builds a MongoClient without connecting', async () => {
    const client = await mongoClientFactory()('mongodb://127.0.0.1:1');
    assert.equal(client.constructor.name, 'MongoClient');
    await client.close();
  });
});
