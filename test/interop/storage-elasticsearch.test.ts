// elasticsearch:// against fixtures/storage/elasticsearch.json (Python 3.4.3's driver, elasticsearch-py 7.17 serializer).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createElasticsearchDriver, type ElasticsearchDriver } from '../../src/drivers/elasticsearch/driver.js';
import type { Notification } from '../../src/core/payload.js';
import { loadFixture } from '../helpers/fixtures.js';
import { startFakeElasticsearch, type FakeEs } from '../helpers/elasticsearch-server.js';

const fixture = loadFixture('storage/elasticsearch.json');
const calls: { method: string; url: string; body: string }[] = fixture.notify_calls;
const notificationCalls = calls.filter((c) => c.url === '/osprofiler-notifications/notification');

function payloadOf(body: string): Notification {
  const { project: _p, service: _s, ...payload } = JSON.parse(body);
  return payload as Notification;
}

describe('elasticsearch storage fixture (Python 3.4.3)', () => {
  // Elasticsearch 7: the newest server Python's driver (doc types) works with
  let es: FakeEs;
  let driver: ElasticsearchDriver;
  before(async () => {
    es = await startFakeElasticsearch({ version: '7.17.9' });
    driver = await createElasticsearchDriver(`elasticsearch://127.0.0.1:${es.port}`, {
      project: 'nova',
      service: 'api',
      filterErrorTrace: true,
    });
    // one notification per batch, as Python's one index() per notify()
    for (const call of notificationCalls) await driver.notifyBatch([payloadOf(call.body)]);
  });
  after(async () => {
    await driver.close();
    await es.close();
  });

  it('writes each document with the same JSON text, to the same index and doc type, in the same order', () => {
    const written: { method: string; url: string; body: string }[] = [];
    for (const request of es.requests.filter((r) => r.path === '/_bulk')) {
      const lines = request.body.split('\n').filter((l) => l !== '');
      for (let i = 0; i < lines.length; i += 2) {
        const { _index, _type } = JSON.parse(lines[i]).index;
        written.push({ method: 'POST', url: `/${_index}/${_type}`, body: lines[i + 1] });
      }
    }
    assert.deepEqual(
      written,
      calls.map(({ method, url, body }) => ({ method, url, body })),
    );
  });

  it("getReport returns Python's report, scrolling with es_scroll_time 2m and es_scroll_size 10000", async () => {
    es.requests.length = 0;
    const report = await driver.getReport('c0ffee00-0000-4000-8000-000000000001');
    assert.deepEqual(report, fixture.get_report);
    assert.equal(JSON.stringify(report), JSON.stringify(fixture.get_report));
    const [search, scroll] = es.requests;
    const python = fixture.get_report_calls;
    assert.equal(search.query.scroll, python[0].params.scroll);
    assert.equal(String(JSON.parse(search.body).size), python[0].params.size);
    assert.equal(scroll.path, python[1].url);
    assert.equal(JSON.parse(scroll.body).scroll, JSON.parse(python[1].body).scroll);
  });

  it('listTraces and listErrorTraces answer where Python raises SerializationError', async () => {
    assert.equal(fixture.list_traces.raises.type, 'SerializationError');
    assert.deepEqual(await driver.listTraces(), [
      { base_id: 'c0ffee00-0000-4000-8000-000000000001', timestamp: '2024-05-14T09:30:12.345678' },
      { base_id: 'c0ffee00-0000-4000-8000-000000000002', timestamp: '2024-05-14T09:31:00.000100' },
    ]);
    assert.deepEqual(await driver.listErrorTraces(), [JSON.parse(calls.at(-1)!.body)]);
  });

  it("reads what Python wrote (typed documents) into Python's report", async () => {
    const other = await startFakeElasticsearch({ version: '7.17.9' });
    try {
      other.indices.set(
        'osprofiler-notifications',
        notificationCalls.map((c) => ({ _type: 'notification', _source: JSON.parse(c.body) })),
      );
      const reader = await createElasticsearchDriver(`elasticsearch://127.0.0.1:${other.port}`);
      assert.deepEqual(await reader.getReport('c0ffee00-0000-4000-8000-000000000001'), fixture.get_report);
      await reader.close();
    } finally {
      await other.close();
    }
  });

  it('on Elasticsearch 8 the same documents are written without a doc type', async () => {
    const es8 = await startFakeElasticsearch({ version: '8.15.0' });
    try {
      const d8 = await createElasticsearchDriver(`elasticsearch://127.0.0.1:${es8.port}`, {
        project: 'nova',
        service: 'api',
      });
      await d8.notifyBatch(notificationCalls.map((c) => payloadOf(c.body)));
      const stored = es8.indices.get('osprofiler-notifications')!;
      assert.deepEqual(
        stored.map((d) => JSON.stringify(d._source)),
        notificationCalls.map((c) => c.body),
      );
      assert.ok(stored.every((d) => d._type === undefined));
      await d8.close();
    } finally {
      await es8.close();
    }
  });
});
