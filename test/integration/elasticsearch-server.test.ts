// elasticsearch:// against a real Elasticsearch 7–9 or OpenSearch: runs when OSPROFILER_TEST_ELASTICSEARCH_URL is set
// (elasticsearch://host:9200, elasticsearch+https://user:pass@host:9200, or an http(s):// URL).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  createElasticsearchDriver,
  ES_ERROR_INDEX,
  ES_INDEX,
  type ElasticsearchDriver,
} from '../../src/drivers/elasticsearch/driver.js';
import { esNodeUrl } from '../../src/drivers/elasticsearch/client.js';
import { failedWsgiSpan } from '../helpers/failed-span.js';

const RAW = process.env.OSPROFILER_TEST_ELASTICSEARCH_URL;
const CONNECTION = RAW?.replace(/^http:\/\//, 'elasticsearch://').replace(/^https:\/\//, 'elasticsearch+https://');
const skip = RAW
  ? false
  : 'set OSPROFILER_TEST_ELASTICSEARCH_URL to run against a real Elasticsearch or OpenSearch server';

async function refresh(): Promise<void> {
  const url = new URL(esNodeUrl(CONNECTION!));
  const headers: Record<string, string> = {};
  if (url.username) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  url.username = '';
  url.password = '';
  for (const index of [ES_INDEX, ES_ERROR_INDEX]) {
    await fetch(`${url.origin}${url.pathname.replace(/\/$/, '')}/${index}/_refresh`, { method: 'POST', headers });
  }
}

describe('elasticsearch driver against a real server', { skip }, () => {
  let driver: ElasticsearchDriver | undefined;
  after(async () => driver?.close());

  it('says which server and version it talks to', async (t) => {
    driver = await createElasticsearchDriver(CONNECTION!, { project: 'nova', service: 'api', filterErrorTrace: true });
    await driver.connect();
    assert.ok(driver.server, 'GET / answered');
    assert.match(driver.describe(), /^(Elasticsearch|OpenSearch) \d+\.\d+/);
    t.diagnostic(driver.describe());
  });

  it('writes a trace with _bulk and reads it back by scrolling', async () => {
    const base = randomUUID();
    await driver!.notifyBatch(failedWsgiSpan(base));
    await refresh();
    const report = await driver!.getReport(base);
    assert.equal(report.children.length, 1);
    assert.equal(report.children[0].info.finished, 4);
    assert.deepEqual(
      (await driver!.listTraces()).find((t) => t.base_id === base),
      { base_id: base, timestamp: '2024-05-14T09:30:12.345678' },
    );
    assert.deepEqual(
      (await driver!.listErrorTraces()).find((t) => t.base_id === base),
      { base_id: base, timestamp: '2024-05-14T09:30:12.350001' },
    );
  });
});
