import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createElasticsearchDriver,
  ElasticsearchDriver,
  ES_ERROR_INDEX,
  ES_INDEX,
} from '../../../../src/drivers/elasticsearch/driver.js';
import { esClientFactory, esNodeUrl, parseServerInfo } from '../../../../src/drivers/elasticsearch/client.js';
import { BadConnectionStringError, DriverMissingError, DriverUnavailableError } from '../../../../src/errors.js';
import { setLogSink } from '../../../../src/log.js';
import type { Notification } from '../../../../src/core/payload.js';
import { buildReport } from '../../../../src/report/build.js';
import { startFakeElasticsearch, type FakeEs, type FakeEsOptions } from '../../../helpers/elasticsearch-server.js';

const B1 = 'c0ffee00-0000-4000-8000-000000000001';
const B2 = 'c0ffee00-0000-4000-8000-000000000002';

function n(name: string, baseId: string, timestamp: string, info: Record<string, unknown> = {}): Notification {
  return { name, base_id: baseId, trace_id: baseId, parent_id: baseId, timestamp, info: { ...info, host: 'h' } };
}

const servers: FakeEs[] = [];
const drivers: ElasticsearchDriver[] = [];
async function setup(server: FakeEsOptions = {}, options = {}) {
  const es = await startFakeElasticsearch(server);
  servers.push(es);
  const driver = await createElasticsearchDriver(`elasticsearch://127.0.0.1:${es.port}`, {
    project: 'nova',
    service: 'api',
    ...options,
  });
  drivers.push(driver);
  // why: the factory asks GET / in the background; these tests look at what it answered.
  await driver.connect();
  return { es, driver };
}

afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close();
  for (const s of servers.splice(0)) await s.close();
});

describe('elasticsearch connection strings and server detection', () => {
  it('elasticsearch://host:port becomes an http node URL; +https and credentials are kept', () => {
    assert.equal(esNodeUrl('elasticsearch://127.0.0.1:9200'), 'http://127.0.0.1:9200');
    assert.equal(esNodeUrl('elasticsearch+https://elastic:pw@es.local:9200/'), 'https://elastic:pw@es.local:9200');
    assert.throws(() => esNodeUrl('elasticsearch://'), BadConnectionStringError);
  });

  it('GET / tells product, version, cluster, whether to write a mapping type, and support', () => {
    const info = (number: string, distribution?: string) => ({ cluster_name: 'c', version: { number, distribution } });
    assert.deepEqual(parseServerInfo(info('7.17.9')), {
      product: 'Elasticsearch',
      version: '7.17.9',
      major: 7,
      cluster: 'c',
      useDocType: true,
      supported: true,
    });
    assert.equal(parseServerInfo(info('8.15.0')).useDocType, false);
    assert.equal(parseServerInfo(info('9.1.0')).supported, true);
    assert.equal(parseServerInfo(info('6.8.23')).supported, false);
    assert.equal(parseServerInfo(info('10.0.0')).supported, false);
    assert.deepEqual(parseServerInfo(info('1.3.14', 'opensearch')), {
      product: 'OpenSearch',
      version: '1.3.14',
      major: 1,
      cluster: 'c',
      useDocType: true,
      supported: true,
    });
    assert.equal(parseServerInfo(info('2.11.0', 'opensearch')).useDocType, false);
    assert.equal(parseServerInfo({}).version, 'unknown');
  });

  it('a missing @elastic/elasticsearch package gives DriverMissingError naming it', async () => {
    const factory = esClientFactory(async () => {
      throw Object.assign(new Error("Cannot find package '@elastic/elasticsearch' imported from /x.js"), {
        code: 'ERR_MODULE_NOT_FOUND',
      });
    });
    await assert.rejects(createElasticsearchDriver('elasticsearch://h:9200', {}, factory), (e: unknown) => {
      assert.ok(e instanceof DriverMissingError);
      assert.match(e.message, /npm install @elastic\/elasticsearch/);
      return true;
    });
  });
});

describe('elasticsearch driver on the official client', () => {
  const versions: [string, FakeEsOptions, boolean][] = [
    ['Elasticsearch 7.17.9', { version: '7.17.9' }, true],
    ['Elasticsearch 8.15.0', { version: '8.15.0' }, false],
    ['Elasticsearch 9.1.0', { version: '9.1.0' }, false],
    ['OpenSearch 1.3.14', { distribution: 'opensearch', version: '1.3.14' }, true],
    ['OpenSearch 2.11.0', { distribution: 'opensearch', version: '2.11.0' }, false],
  ];
  for (const [label, server, typed] of versions) {
    it(`writes one plain-JSON _bulk request per batch to ${label}${typed ? ' with the mapping type' : ''}`, async () => {
      const { es, driver } = await setup(server, { filterErrorTrace: true });
      assert.equal(
        driver.describe(),
        `${label} at ${es.url} (cluster test-cluster), indexes ${ES_INDEX} and ${ES_ERROR_INDEX}`,
      );
      await driver.notifyBatch([
        n('a-start', B1, '2024-01-01T00:00:00.000001'),
        n('a-stop', B1, '2024-01-01T00:00:00.000002', { etype: 'E', message: 'm' }),
      ]);
      const bulks = es.requests.filter((r) => r.path === '/_bulk');
      assert.equal(bulks.length, 1);
      assert.equal(bulks[0].headers['content-type'], 'application/x-ndjson');
      assert.doesNotMatch(String(bulks[0].headers.accept), /compatible-with/);
      const lines = bulks[0].body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const type = typed ? { _type: 'notification' } : {};
      assert.deepEqual(lines, [
        { index: { _index: ES_INDEX, ...type } },
        { ...n('a-start', B1, '2024-01-01T00:00:00.000001'), project: 'nova', service: 'api' },
        { index: { _index: ES_INDEX, ...type } },
        {
          ...n('a-stop', B1, '2024-01-01T00:00:00.000002', { etype: 'E', message: 'm' }),
          project: 'nova',
          service: 'api',
        },
        { index: { _index: ES_ERROR_INDEX, ...type } },
        { base_id: B1, timestamp: '2024-01-01T00:00:00.000002' },
      ]);
      assert.equal((await driver.getReport(B1)).children.length, 1);
    });
  }

  it('the mapping type follows es_doc_type', async () => {
    const { es, driver } = await setup({ version: '7.10.2' }, { esDocType: 'doc' });
    await driver.notifyBatch([n('a-start', B1, 't')]);
    assert.equal(es.indices.get(ES_INDEX)![0]._type, 'doc');
  });

  it('getReport scrolls with es_scroll_time/es_scroll_size, keeps only the exact base id and clears the scroll', async () => {
    const { es, driver } = await setup({}, { esScrollSize: 2, esScrollTime: '30s' });
    const records = [
      n('a-start', B1, '2024-01-01T00:00:00.000000'),
      n('b-start', B1, '2024-01-01T00:00:00.001000'),
      n('b-stop', B1, '2024-01-01T00:00:00.002000'),
      n('a-stop', B1, '2024-01-01T00:00:00.003000'),
      n('x-start', B2, '2024-01-01T00:00:00.000000'),
    ];
    await driver.notifyBatch(records);
    const report = await driver.getReport(B1);
    assert.deepEqual(report, buildReport(records.slice(0, 4).map((r) => ({ ...r, project: 'nova', service: 'api' }))));
    const [search, ...scrolls] = es.requests.filter((r) => r.path.includes('_search'));
    assert.equal(search.path, `/${ES_INDEX}/_search`);
    assert.deepEqual(search.query, { scroll: '30s' });
    assert.deepEqual(JSON.parse(search.body), { size: 2, query: ElasticsearchDriver.reportQuery(B1), sort: ['_doc'] });
    assert.deepEqual(ElasticsearchDriver.reportQuery(B1), { bool: { filter: [{ match_phrase: { base_id: B1 } }] } });
    assert.deepEqual(
      scrolls.map((r) => [r.method, JSON.parse(r.body)]),
      [
        ['POST', { scroll_id: 'scroll-1', scroll: '30s' }],
        ['POST', { scroll_id: 'scroll-1', scroll: '30s' }],
        ['DELETE', { scroll_id: 'scroll-1' }],
      ],
    );
    assert.deepEqual(es.cleared, ['scroll-1']);
  });

  it('an index that does not exist yet reads as an empty store', async () => {
    const { driver } = await setup();
    assert.deepEqual(await driver.getReport(B1), buildReport([]));
    assert.deepEqual(await driver.listTraces(), []);
    assert.deepEqual(await driver.listErrorTraces(), []);
  });

  it("listTraces gives each trace's earliest notification, oldest first, reading only the needed fields", async () => {
    const { es, driver } = await setup({}, { esScrollSize: 2, filterErrorTrace: true });
    await driver.notifyBatch([
      n('b-start', B2, '2024-01-01T00:00:05.000000'),
      n('a-start', B1, '2024-01-01T00:00:02.000000'),
      n('b-stop', B2, '2024-01-01T00:00:01.000000', { etype: 'E' }),
      n('a-stop', B1, '2024-01-01T00:00:03.000000', { etype: 'E' }),
      n('a-stop', B1, '2024-01-01T00:00:04.000000', { etype: 'E' }),
    ]);
    assert.deepEqual(await driver.listTraces(), [
      { base_id: B2, timestamp: '2024-01-01T00:00:01.000000' },
      { base_id: B1, timestamp: '2024-01-01T00:00:02.000000' },
    ]);
    const search = es.requests.filter((r) => r.path === `/${ES_INDEX}/_search`).at(-1)!;
    assert.deepEqual(JSON.parse(search.body), {
      size: 2,
      query: { match_all: {} },
      sort: ['_doc'],
      _source: ['base_id', 'timestamp'],
    });
    assert.deepEqual(await driver.listTraces(['name']), [
      { name: 'b-stop', base_id: B2 },
      { name: 'a-start', base_id: B1 },
    ]);
    assert.deepEqual(await driver.listErrorTraces(), [
      { base_id: B2, timestamp: '2024-01-01T00:00:01.000000' },
      { base_id: B1, timestamp: '2024-01-01T00:00:03.000000' },
    ]);
  });

  it('documents the server refuses fail the batch with the reason', async () => {
    const { es, driver } = await setup();
    es.bulkItemError = 'mapper_parsing_exception';
    await assert.rejects(driver.notifyBatch([n('a-start', B1, 't'), n('a-stop', B1, 't')]), (e: unknown) => {
      assert.ok(e instanceof DriverUnavailableError);
      assert.equal(
        e.message,
        `Elasticsearch 8.15.0 at ${es.url} refused 2 of 2 documents: mapper_parsing_exception: failed to parse field [info.db.params]`,
      );
      return true;
    });
  });

  it('an unreachable server does not stop the driver from starting; requests then say where it failed', async () => {
    const lines: string[] = [];
    setLogSink((_level, message) => lines.push(message));
    try {
      const driver = await createElasticsearchDriver('elasticsearch://127.0.0.1:9');
      drivers.push(driver);
      assert.equal(
        driver.describe(),
        `Elasticsearch/OpenSearch at http://127.0.0.1:9 (not reached yet), indexes ${ES_INDEX} and ${ES_ERROR_INDEX}`,
      );
      // why: starting logs nothing; the notifier's rate-limited line reports the failed writes.
      assert.deepEqual(lines, []);
      await assert.rejects(driver.connect(), /Cannot reach Elasticsearch\/OpenSearch at http:\/\/127\.0\.0\.1:9/);
      await assert.rejects(
        driver.notifyBatch([n('a-start', B1, 't')]),
        /Cannot reach Elasticsearch\/OpenSearch at http:\/\/127\.0\.0\.1:9/,
      );
      await assert.rejects(driver.getReport(B1), DriverUnavailableError);
    } finally {
      setLogSink(undefined);
    }
  });

  it('a server outside the supported versions gets one warning naming product and version', async () => {
    const lines: string[] = [];
    setLogSink((_level, message) => lines.push(message));
    try {
      const { es } = await setup({ version: '6.8.23' });
      assert.deepEqual(lines, [
        `osprofiler: ${es.url} is Elasticsearch 6.8.23; the elasticsearch:// driver supports Elasticsearch 7–9 and OpenSearch 1–3, so requests may fail.`,
      ]);
    } finally {
      setLogSink(undefined);
    }
  });

  it('credentials in the URL are sent as basic auth and hidden from describe()', async () => {
    const es = await startFakeElasticsearch();
    servers.push(es);
    const driver = await createElasticsearchDriver(`elasticsearch://elastic:s3cret@127.0.0.1:${es.port}`);
    drivers.push(driver);
    await driver.connect();
    assert.equal(es.requests[0].headers.authorization, `Basic ${Buffer.from('elastic:s3cret').toString('base64')}`);
    assert.doesNotMatch(driver.describe(), /s3cret/);
  });
});

after(() => setLogSink(undefined));
