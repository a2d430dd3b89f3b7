import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { runInProfiler } from '../../../../src/core/context.js';
import { readTraceHeaders } from '../../../../src/propagation/headers.js';
import { setNotifier } from '../../../../src/notifier/notifier.js';
import { Profiler } from '../../../../src/core/profiler.js';
import { traceRequests, untraceRequests } from '../../../../src/instrumentation/http-client/trace-requests.js';
import { captureNotifications } from '../../../helpers/capture.js';
import { BASE, KEY, PARENT } from '../../../helpers/http.js';
import { startHeaderRecorder, type HeaderRecorder } from '../../../helpers/header-recorder.js';
import { freePort } from '../../../helpers/services.js';

describe('fetch/undici tracing', () => {
  let server: HeaderRecorder;
  let origin: string;
  let received: IncomingHttpHeaders[];
  const { sent, listen } = captureNotifications();

  before(async () => {
    server = await startHeaderRecorder((url) => (url.startsWith('/missing') ? 404 : 200));
    ({ url: origin, received } = server);
  });
  after(() => server.close());
  beforeEach(() => {
    server.reset();
    listen();
    traceRequests({ http: false });
  });
  afterEach(() => {
    untraceRequests();
    setNotifier(undefined);
  });

  const traced = <R>(fn: () => R): R => runInProfiler(new Profiler(KEY, BASE, PARENT), fn);

  async function fetchText(url: string, init?: RequestInit): Promise<number> {
    const response = await fetch(url, init);
    await response.text();
    return response.status;
  }

  it('gives a fetch inside a trace a child span named after the scheme, with the status on stop', async () => {
    await traced(() => fetchText(`${origin}/v2.1/servers?all=1&x=%20y`));
    assert.deepEqual(
      sent.map((n) => n.name),
      ['http-start', 'http-stop'],
    );
    const port = Number(new URL(origin).port);
    assert.equal(sent[0].parent_id, PARENT);
    assert.equal(sent[0].base_id, BASE);
    assert.deepEqual(sent[0].info.requests, {
      method: 'GET',
      query: 'all=1&x=%20y',
      path: '/v2.1/servers',
      hostname: '127.0.0.1',
      port,
      scheme: 'http',
    });
    assert.deepEqual(sent[1].info, { requests: { status_code: 200 }, host: sent[1].info.host });
    assert.equal(sent[1].trace_id, sent[0].trace_id);
  });

  it('sends signed headers whose parent is the client span', async () => {
    await traced(() => fetchText(`${origin}/`, { method: 'POST', body: 'x' }));
    const context = readTraceHeaders(received[0], [KEY]);
    assert.deepEqual(context, { base_id: BASE, parent_id: sent[0].trace_id, hmac_key: KEY });
    assert.equal(sent[0].info.requests && (sent[0].info.requests as { method: string }).method, 'POST');
  });

  it('records a non-2xx status as it is', async () => {
    const status = await traced(() => fetchText(`${origin}/missing`));
    assert.equal(status, 404);
    assert.deepEqual(sent[1].info.requests, { status_code: 404 });
  });

  it('adds nothing and records nothing outside a trace', async () => {
    await fetchText(`${origin}/`);
    assert.equal(received[0]['x-trace-info'], undefined);
    assert.equal(received[0]['x-trace-hmac'], undefined);
    assert.deepEqual(sent, []);
  });

  it('gives concurrent fetches sibling spans under the same parent', async () => {
    await traced(() => Promise.all([fetchText(`${origin}/a`), fetchText(`${origin}/b`), fetchText(`${origin}/c`)]));
    const starts = sent.filter((n) => n.name === 'http-start');
    assert.equal(starts.length, 3);
    assert.ok(starts.every((n) => n.parent_id === PARENT));
    const parents = received.map((h) => readTraceHeaders(h, [KEY])?.parent_id).sort();
    assert.deepEqual(parents, starts.map((n) => n.trace_id).sort());
  });

  it('stops the span with etype/message when the request fails', async () => {
    const closedPort = await freePort();
    await assert.rejects(traced(() => fetch(`http://127.0.0.1:${closedPort}/`)));
    assert.deepEqual(
      sent.map((n) => n.name),
      ['http-start', 'http-stop'],
    );
    assert.equal(typeof sent[1].info.etype, 'string');
    assert.match(String(sent[1].info.message), /ECONNREFUSED/);
  });

  it('leaves trace headers the caller set itself alone', async () => {
    await traced(() => fetchText(`${origin}/`, { headers: { 'X-Trace-Info': 'mine', 'X-Trace-HMAC': 'mine' } }));
    assert.equal(received[0]['x-trace-info'], 'mine');
    assert.equal(sent.length, 2);
  });

  it('stops adding headers after untraceRequests()', async () => {
    untraceRequests();
    await traced(() => fetchText(`${origin}/`));
    assert.equal(received[0]['x-trace-info'], undefined);
    assert.deepEqual(sent, []);
  });

  it('is not hooked when traceRequests() excludes fetch', async () => {
    traceRequests({ fetch: false });
    await traced(() => fetchText(`${origin}/`));
    assert.equal(received[0]['x-trace-info'], undefined);
  });
});
