// mongodb:// against fixtures/storage/mongodb.json (Python 3.4.3's driver with pymongo replaced by a recorder).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMongoDriver } from '../../src/drivers/mongodb/driver.js';
import type { Notification } from '../../src/core/payload.js';
import { loadFixture } from '../helpers/fixtures.js';
import { FakeMongoClient } from '../helpers/mongodb-fake.js';

const fixture = loadFixture('storage/mongodb.json');
const inserted: Notification[] = fixture.write_calls
  .filter((c: any) => c.call === 'db.profiler.insert_one')
  .map((c: any) => c.args[0]);

/** The payload the notifier hands over: the stored document without the driver's project/service. */
function payloadOf(doc: Notification): Notification {
  const { project: _p, service: _s, ...payload } = doc;
  return payload as Notification;
}

async function written() {
  const client = new FakeMongoClient();
  const driver = await createMongoDriver(
    fixture.write_calls[0].args[0],
    { project: 'nova', service: 'api', filterErrorTrace: true },
    () => client,
  );
  // one notification per batch, as Python's insert_one per notify()
  for (const doc of inserted) await driver.notifyBatch([payloadOf(doc)]);
  return { client, driver };
}

describe('mongodb storage fixture (Python 3.4.3)', () => {
  it('writes to database osprofiler, collections profiler and profiler_error', async () => {
    const { client } = await written();
    assert.equal(fixture.database, 'osprofiler');
    assert.deepEqual([...client.data.keys()].sort(), ['osprofiler.profiler', 'osprofiler.profiler_error']);
  });

  it("inserts documents equal to Python's, key for key and in order", async () => {
    const { client } = await written();
    const docs = client.calls
      .filter((c) => c.call === 'db.profiler.insertMany')
      .flatMap((c) => c.args[0] as Notification[]);
    assert.deepEqual(docs, inserted);
    for (let i = 0; i < docs.length; i++) assert.deepEqual(Object.keys(docs[i]), Object.keys(inserted[i]));
  });

  it("upserts the error document as Python's update(spec, document, upsert=True)", async () => {
    const { client } = await written();
    const python = fixture.write_calls.find((c: any) => c.call === 'db.profiler_error.update');
    const ours = client.calls.filter((c) => c.call === 'db.profiler_error.bulkWrite');
    assert.equal(ours.length, 1);
    assert.deepEqual(ours[0].args[0], [
      { replaceOne: { filter: python.args[0], replacement: python.args[1], upsert: python.kwargs.upsert } },
    ]);
    assert.deepEqual(
      [...client.data.get('osprofiler.profiler_error')!].map(({ _id, ...d }) => d),
      [python.args[1]],
    );
  });

  it("getReport asks what Python asks and returns Python's report", async () => {
    const { client, driver } = await written();
    const report = await driver.getReport(fixture.get_report.calls[0].args[0].base_id);
    const find = client.calls.at(-1)!;
    assert.deepEqual(find, {
      call: 'db.profiler.find',
      args: [fixture.get_report.calls[0].args[0], { projection: fixture.get_report.calls[0].args[1] }],
    });
    assert.deepEqual(report, fixture.get_report.report);
    assert.equal(JSON.stringify(report), JSON.stringify(fixture.get_report.report));
  });

  it('listTraces gives each trace\'s earliest notification, as Python\'s distinct + sort("timestamp")[0]', async () => {
    const { driver } = await written();
    const traces = await driver.listTraces();
    assert.deepEqual(traces[0], fixture.list_traces.result_with_recorded_answers[0]);
    assert.deepEqual(traces[1], {
      base_id: 'c0ffee00-0000-4000-8000-000000000002',
      timestamp: '2024-05-14T09:31:00.000100',
    });
  });

  it("listErrorTraces uses Python's projection", async () => {
    const { client, driver } = await written();
    await driver.listErrorTraces();
    const python = fixture.list_error_traces.calls[0];
    assert.deepEqual(client.calls.at(-1), {
      call: 'db.profiler_error.find',
      args: [python.args[0], { projection: python.args[1] }],
    });
  });

  it('reads documents Python wrote (with ObjectId _id) into the same report', async () => {
    const client = new FakeMongoClient();
    client.data.set(
      'osprofiler.profiler',
      inserted.map((d, i) => ({ _id: `py-${i}`, ...d })),
    );
    const driver = await createMongoDriver('mongodb://x', {}, () => client);
    assert.deepEqual(await driver.getReport('c0ffee00-0000-4000-8000-000000000001'), fixture.get_report.report);
  });
});
