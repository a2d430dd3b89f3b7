import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { runInProfiler } from '../../../../src/core/context.js';
import { readTraceHeaders } from '../../../../src/propagation/headers.js';
import { setNotifier } from '../../../../src/notifier/notifier.js';
import { Profiler } from '../../../../src/core/profiler.js';
import {
  TracingAgent,
  TracingHttpsAgent,
  canHookHttpHeaders,
  traceRequests,
  untraceRequests,
} from '../../../../src/instrumentation/http-client/trace-requests.js';
import { captureNotifications } from '../../../helpers/capture.js';
import { BASE, KEY, PARENT } from '../../../helpers/http.js';
import { startHeaderRecorder, type HeaderRecorder } from '../../../helpers/header-recorder.js';
import { freePort } from '../../../helpers/services.js';

describe('node:http client tracing', () => {
  let server: HeaderRecorder;
  let origin: string;
  let port: number;
  let received: IncomingHttpHeaders[];
  const { sent, listen } = captureNotifications();

  before(async () => {
    server = await startHeaderRecorder((url) => (url.startsWith('/created') ? 201 : 200));
    ({ url: origin, port, received } = server);
  });
  after(() => server.close());
  beforeEach(() => {
    server.reset();
    listen();
  });
  afterEach(() => {
    untraceRequests();
    setNotifier(undefined);
  });

  const traced = <R>(fn: () => R): R => runInProfiler(new Profiler(KEY, BASE, PARENT), fn);

  function get(url: string, options: http.RequestOptions = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.get(url, options, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
    });
  }

  async function settled(count: number): Promise<void> {
    const end = Date.now() + 2000;
    while (sent.length < count && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  it('TracingAgent gives a request inside a trace a span and the signed headers of that span', async () => {
    const agent = new TracingAgent({ keepAlive: true });
    try {
      const status = await traced(() => get(`${origin}/created?a=b`, { agent }));
      assert.equal(status, 201);
    } finally {
      agent.destroy();
    }
    await settled(2);
    assert.deepEqual(
      sent.map((n) => n.name),
      ['http-start', 'http-stop'],
    );
    assert.equal(sent[0].parent_id, PARENT);
    assert.deepEqual(sent[0].info.requests, {
      method: 'GET',
      query: 'a=b',
      path: '/created',
      hostname: '127.0.0.1',
      port,
      scheme: 'http',
    });
    assert.deepEqual(sent[1].info.requests, { status_code: 201 });
    assert.deepEqual(readTraceHeaders(received[0], [KEY]), {
      base_id: BASE,
      parent_id: sent[0].trace_id,
      hmac_key: KEY,
    });
  });

  it('TracingAgent adds nothing outside a trace', async () => {
    const agent = new TracingAgent();
    try {
      await get(`${origin}/`, { agent });
    } finally {
      agent.destroy();
    }
    assert.equal(received[0]['x-trace-info'], undefined);
    assert.deepEqual(sent, []);
  });

  it('TracingAgent stops the span with etype/message when the connection fails', async () => {
    const closedPort = await freePort();
    const agent = new TracingAgent();
    await assert.rejects(traced(() => get(`http://127.0.0.1:${closedPort}/down`, { agent })));
    await settled(2);
    assert.deepEqual(
      sent.map((n) => n.name),
      ['http-start', 'http-stop'],
    );
    assert.equal(sent[1].info.etype, 'Error');
    assert.match(String(sent[1].info.message), /ECONNREFUSED/);
  });

  it('TracingAgent keeps a span when headers given as an array cannot be changed', async () => {
    const agent = new TracingAgent();
    try {
      await traced(
        () =>
          new Promise<void>((resolve, reject) => {
            const req = http.request(
              { host: '127.0.0.1', port, path: '/arr', agent, headers: ['Host', `127.0.0.1:${port}`, 'X-Own', '1'] },
              (res) => {
                res.resume();
                res.on('end', resolve);
              },
            );
            req.on('error', reject);
            req.end();
          }),
      );
    } finally {
      agent.destroy();
    }
    await settled(2);
    assert.equal(received[0]['x-own'], '1');
    assert.equal(received[0]['x-trace-info'], undefined);
    assert.equal(sent.length, 2);
  });

  it('TracingHttpsAgent is an https.Agent that traces the same way', () => {
    const agent = new TracingHttpsAgent();
    assert.ok(agent instanceof https.Agent);
    assert.equal((agent as unknown as { protocol: string }).protocol, 'https:');
    agent.destroy();
  });

  it('traceRequests() records plain http.get calls and adds headers where Node allows it', async () => {
    traceRequests({ fetch: false });
    await traced(() => get(`${origin}/plain`, { agent: false }));
    await settled(2);
    assert.deepEqual(
      sent.map((n) => n.name),
      ['http-start', 'http-stop'],
    );
    assert.deepEqual(sent[1].info.requests, { status_code: 200 });
    const context = readTraceHeaders(received[0], [KEY]);
    assert.deepEqual(
      context,
      canHookHttpHeaders ? { base_id: BASE, parent_id: sent[0].trace_id, hmac_key: KEY } : null,
    );
  });

  it('adds headers from http.client.request.created, as Node 22.12+ publishes it', async () => {
    traceRequests({ fetch: false });
    await traced(
      () =>
        new Promise<void>((resolve, reject) => {
          const req = http.request(`${origin}/early`, { agent: false }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          // why: on Node 20 nothing publishes it; publish it as newer Node does, before anything is sent.
          if (!canHookHttpHeaders) diagnostics.channel('http.client.request.created').publish({ request: req });
          req.on('error', reject);
          req.end();
        }),
    );
    await settled(2);
    assert.equal(sent.length, 2);
    assert.deepEqual(readTraceHeaders(received[0], [KEY]), {
      base_id: BASE,
      parent_id: sent[0].trace_id,
      hmac_key: KEY,
    });
  });

  it('records nothing for plain requests outside a trace or after untraceRequests()', async () => {
    traceRequests();
    await get(`${origin}/`, { agent: false });
    untraceRequests();
    await traced(() => get(`${origin}/`, { agent: false }));
    assert.deepEqual(sent, []);
    assert.equal(received[1]['x-trace-info'], undefined);
  });

  it('globalAgents installs tracing global agents where the channel cannot add headers, and puts them back', async () => {
    const before = { http: http.globalAgent, https: https.globalAgent };
    traceRequests({ globalAgents: true, fetch: false });
    if (canHookHttpHeaders) {
      assert.equal(http.globalAgent, before.http);
    } else {
      assert.ok(http.globalAgent instanceof TracingAgent);
      assert.ok(https.globalAgent instanceof TracingHttpsAgent);
      await traced(() => get(`${origin}/global`));
      await settled(2);
      assert.deepEqual(readTraceHeaders(received[0], [KEY]), {
        base_id: BASE,
        parent_id: sent[0].trace_id,
        hmac_key: KEY,
      });
    }
    untraceRequests();
    assert.equal(http.globalAgent, before.http);
    assert.equal(https.globalAgent, before.https);
  });
});
