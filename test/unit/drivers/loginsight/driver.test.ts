import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogInsightDriver, logInsightEvent, recordOfEvent } from '../../../../src/drivers/loginsight/driver.js';
import { parseLogInsightConnectionString } from '../../../../src/drivers/loginsight/client.js';
import { BadConnectionStringError, DriverUnavailableError, NotSupportedError } from '../../../../src/errors.js';
import type { Notification } from '../../../../src/core/payload.js';
import { buildReport } from '../../../../src/report/build.js';
import { startFakeLogInsight, type FakeLogInsight } from '../../../helpers/loginsight-server.js';

const B1 = 'c0ffee00-0000-4000-8000-000000000001';
const B2 = 'c0ffee00-0000-4000-8000-000000000002';

function n(name: string, baseId: string, timestamp: string, info: Record<string, unknown> = {}): Notification {
  return { name, base_id: baseId, trace_id: baseId, parent_id: baseId, timestamp, info: { ...info, host: 'h' } };
}

describe('loginsight connection strings', () => {
  it('credentials are URL-decoded; login/query on https :9543, ingest on http :9000', () => {
    assert.deepEqual(parseLogInsightConnectionString('loginsight://osprofiler:p%40ss%3Aword@10.1.2.3'), {
      username: 'osprofiler',
      password: 'p@ss:word',
      host: '10.1.2.3',
      apiBase: 'https://10.1.2.3:9543',
      ingestBase: 'http://10.1.2.3:9000',
      verifyTls: true,
    });
  });
  it('IPv6 hosts are bracketed, host names lower-cased, a port ignored as in Python', () => {
    assert.equal(parseLogInsightConnectionString('loginsight://u:p@[FE80::1]').apiBase, 'https://[fe80::1]:9543');
    assert.equal(
      parseLogInsightConnectionString('loginsight://u:p@LI.Example:1234').ingestBase,
      'http://li.example:9000',
    );
  });
  it('?verify=false turns off the TLS check; no host is an error', () => {
    assert.equal(parseLogInsightConnectionString('loginsight://u:p@h?verify=false').verifyTls, false);
    assert.throws(() => parseLogInsightConnectionString('loginsight://'), BadConnectionStringError);
    assert.throws(() => parseLogInsightConnectionString('loginsight://u:p@'), BadConnectionStringError);
  });
});

describe('loginsight events', () => {
  it("an event has Python's text and fields, the record as Python json.dumps text", () => {
    const record = { ...n('a-start', B1, 't', { x: 'ü' }), project: 'nova', service: 'api' };
    assert.deepEqual(logInsightEvent(record), {
      text: 'OSProfiler trace',
      fields: [
        { name: 'base_id', content: B1 },
        { name: 'trace_id', content: B1 },
        { name: 'project', content: 'nova' },
        { name: 'service', content: 'api' },
        { name: 'name', content: 'a-start' },
        {
          name: 'trace',
          content: `{"name": "a-start", "base_id": "${B1}", "trace_id": "${B1}", "parent_id": "${B1}", "timestamp": "t", "info": {"x": "\\u00fc", "host": "h"}, "project": "nova", "service": "api"}`,
        },
      ],
    });
  });
  it('the record of an event is its first trace field; anything else is skipped', () => {
    assert.deepEqual(
      recordOfEvent({
        fields: [
          { name: 'trace', content: '{"a": 1}' },
          { name: 'trace', content: '{"a": 2}' },
        ],
      }),
      { a: 1 },
    );
    assert.equal(recordOfEvent({ fields: [{ name: 'trace', content: 'not json' }] }), undefined);
    assert.equal(recordOfEvent({ fields: [{ name: 'trace', content: '5' }] }), undefined);
    assert.equal(recordOfEvent({ text: 'x' }), undefined);
  });
});

describe('loginsight driver over HTTP', () => {
  let li: FakeLogInsight;
  before(async () => {
    li = await startFakeLogInsight();
  });
  after(() => li.close());
  beforeEach(() => {
    li.requests.length = 0;
    li.events.length = 0;
  });

  const driverFor = (cs = 'loginsight://osprofiler:p%40ss%3Aword@li.local', options = {}) =>
    createLogInsightDriver(
      cs,
      { project: 'nova', service: 'api', ...options },
      { apiBase: li.url, ingestBase: li.url },
    );

  it('a batch is one ingest request with one event per notification and no login', async () => {
    await driverFor().notifyBatch([n('a-start', B1, 't1'), n('a-stop', B1, 't2')]);
    assert.equal(li.requests.length, 1);
    const [req] = li.requests;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/api/v1/events/ingest/F52D775B-6017-4787-8C8A-F21AE0AEC057');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['x-li-session-id'], undefined);
    assert.deepEqual(
      JSON.parse(req.body).events.map((e: any) => e.fields[4].content),
      ['a-start', 'a-stop'],
    );
  });

  it('large batches are split into requests of at most 500 events', async () => {
    const batch = Array.from({ length: 1200 }, (_, i) => n(`p${i}-start`, B1, 't'));
    await driverFor().notifyBatch(batch);
    assert.deepEqual(
      li.requests.map((r) => JSON.parse(r.body).events.length),
      [500, 500, 200],
    );
  });

  it('getReport logs in once, queries with the session and keeps only the exact base id', async () => {
    const driver = driverFor();
    const mine = [n('a-start', B1, '2024-01-01T00:00:00.000000'), n('a-stop', B1, '2024-01-01T00:00:00.002000')];
    await driver.notifyBatch([...mine, n('x-start', `${B1}9`, '2024-01-01T00:00:00.000000'), n('y-start', B2, 't')]);
    li.requests.length = 0;
    const report = await driver.getReport(B1);
    assert.deepEqual(report, buildReport(mine.map((r) => ({ ...r, project: 'nova', service: 'api' }))));
    await driver.getReport(B1);
    assert.deepEqual(
      li.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`),
      [
        'POST /api/v1/sessions',
        `GET /api/v1/events/base_id/CONTAINS+${B1}/timestamp/GT+0`,
        `GET /api/v1/events/base_id/CONTAINS+${B1}/timestamp/GT+0`,
      ],
    );
    const query = li.requests[1];
    assert.equal(query.path.split('?')[1], 'limit=20000&timeout=60000');
    assert.equal(query.body, '{}');
    assert.ok(li.sessions.has(String(query.headers['x-li-session-id'])));
  });

  it('an expired session (HTTP 440) logs in again and retries once', async () => {
    const driver = driverFor();
    await driver.notifyBatch([n('a-start', B1, '2024-01-01T00:00:00.000000')]);
    await driver.getReport(B1);
    li.expire();
    li.requests.length = 0;
    const report = await driver.getReport(B1);
    assert.equal(report.children.length, 1);
    assert.deepEqual(
      li.requests.map((r) => r.method + ' ' + r.path.split('/').slice(0, 5).join('/')),
      ['GET /api/v1/events/base_id', 'POST /api/v1/sessions', 'GET /api/v1/events/base_id'],
    );
  });

  it("a wrong password is reported with Log Insight's message", async () => {
    await assert.rejects(driverFor('loginsight://osprofiler:wrong@li.local').getReport(B1), (e: unknown) => {
      assert.ok(e instanceof DriverUnavailableError);
      assert.equal(
        e.message,
        'Log Insight at li.local refused to log in as osprofiler (HTTP 401): Invalid username or password.',
      );
      return true;
    });
  });

  it('without credentials writing works and reading says what is missing', async () => {
    const driver = driverFor('loginsight://li.local');
    await driver.notifyBatch([n('a-start', B1, 't')]);
    assert.equal(li.events.length, 1);
    await assert.rejects(driver.getReport(B1), /needs loginsight:\/\/<username>:<password>@<host>/);
  });

  it('listing is not possible and says so; describe names both endpoints', async () => {
    const driver = createLogInsightDriver('loginsight://u:p@li.local');
    await assert.rejects(driver.listTraces(), NotSupportedError);
    await assert.rejects(driver.listErrorTraces(), NotSupportedError);
    assert.equal(
      driver.describe(),
      'VMware Log Insight at li.local (ingest http://li.local:9000, queries https://li.local:9543)',
    );
  });

  it('an unreachable server gives DriverUnavailableError naming the URL', async () => {
    const driver = createLogInsightDriver(
      'loginsight://u:p@x',
      {},
      { ingestBase: 'http://127.0.0.1:9', apiBase: 'http://127.0.0.1:9' },
    );
    await assert.rejects(driver.notifyBatch([n('a-start', B1, 't')]), (e: unknown) => {
      assert.ok(e instanceof DriverUnavailableError);
      assert.match(e.message, /^Log Insight at http:\/\/127\.0\.0\.1:9\/api\/v1\/events\/ingest\/F52D775B/);
      return true;
    });
  });
});
