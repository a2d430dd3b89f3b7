// loginsight:// against fixtures/storage/loginsight.json (Python 3.4.3's driver with requests.Session.send recorded).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogInsightDriver } from '../../src/drivers/loginsight/driver.js';
import type { LogInsightRequest, LogInsightResponse } from '../../src/drivers/loginsight/client.js';
import type { Notification } from '../../src/core/payload.js';
import { loadFixture } from '../helpers/fixtures.js';

const fixture = loadFixture('storage/loginsight.json');
const CONNECTION = 'loginsight://osprofiler:p%40ss%3Aword@10.1.2.3';
const BASE = 'c0ffee00-0000-4000-8000-000000000001';
const stored: Notification[] = fixture.get_report.children.flatMap(function walk(node: any): Notification[] {
  const own = Object.keys(node.info)
    .filter((k) => k.startsWith('meta.raw_payload.'))
    .map((k) => node.info[k]);
  return [...own, ...node.children.flatMap(walk)];
});

/** A requester that records like the fixture generator and answers as Log Insight would. */
function recorder(events: unknown[] = []) {
  const sent: LogInsightRequest[] = [];
  const request = async (req: LogInsightRequest): Promise<LogInsightResponse> => {
    sent.push(req);
    if (req.url.endsWith('/api/v1/sessions'))
      return { status: 200, statusText: 'OK', body: '{"sessionId": "sess-0123456789"}' };
    if (req.method === 'GET') return { status: 200, statusText: 'OK', body: JSON.stringify({ events }) };
    return { status: 200, statusText: 'OK', body: '{"status": "ok"}' };
  };
  return { sent, request };
}

function payloadOf(record: Notification): Notification {
  const { project: _p, service: _s, ...payload } = record;
  return payload as Notification;
}

describe('loginsight storage fixture (Python 3.4.3)', () => {
  it("ingests each notification with Python's URL, header and byte-identical body", async () => {
    const { sent, request } = recorder();
    const driver = createLogInsightDriver(CONNECTION, { project: 'nova', service: 'api' }, { request });
    const first = stored.find((r) => r.name === 'wsgi-start')!;
    await driver.notifyBatch([payloadOf(first)]);
    const [python] = fixture.notify_calls;
    assert.equal(sent.length, 1);
    assert.equal(sent[0].method, python.method);
    assert.equal(sent[0].url, python.url);
    assert.deepEqual(sent[0].headers, python.headers);
    assert.equal(sent[0].body, python.body);
  });

  it("logs in and queries with Python's URLs, headers and bodies", async () => {
    const { sent, request } = recorder();
    const driver = createLogInsightDriver(CONNECTION, {}, { request });
    await driver.getReport(BASE);
    const [login, query] = sent;
    const pyLogin = fixture.login_calls[0];
    const pyQuery = fixture.query_calls[0];
    assert.deepEqual(
      [login.method, login.url, login.headers, login.body],
      [pyLogin.method, pyLogin.url, pyLogin.headers, pyLogin.body],
    );
    assert.deepEqual(
      [query.method, query.url, query.headers, query.body],
      [pyQuery.method, pyQuery.url, pyQuery.headers, pyQuery.body],
    );
    assert.deepEqual(Object.keys(query.headers), Object.keys(pyQuery.headers));
  });

  it("turns the events Python wrote into Python's report", async () => {
    // events as Log Insight returns what Python's driver ingested (server order, extra fields)
    const events = stored.map((record) => ({
      text: 'OSProfiler trace',
      timestamp: 1715679012345,
      fields: [
        { name: 'hostname', content: '10.0.0.9' },
        { name: 'base_id', content: record.base_id },
        { name: 'trace', content: JSON.stringify(record) },
      ],
    }));
    const { request } = recorder(events);
    const report = await createLogInsightDriver(CONNECTION, {}, { request }).getReport(BASE);
    assert.deepEqual(report, fixture.get_report);
    assert.equal(JSON.stringify(report), JSON.stringify(fixture.get_report));
  });

  it('TLS verification is on by default (Python sends verify=False) and can be turned off', async () => {
    assert.equal(fixture.login_calls[0].send_kwargs.verify, false);
    const on = recorder();
    await createLogInsightDriver(CONNECTION, {}, { request: on.request }).getReport(BASE);
    assert.equal(on.sent[0].verifyTls, true);
    const off = recorder();
    await createLogInsightDriver(`${CONNECTION}?verify=false`, {}, { request: off.request }).getReport(BASE);
    assert.equal(off.sent[0].verifyTls, false);
  });
});
