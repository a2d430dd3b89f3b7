import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { currentProfiler, runInProfiler } from '../../../../src/core/context.js';
import { readTraceHeaders } from '../../../../src/propagation/headers.js';
import { setNotifier } from '../../../../src/notifier/notifier.js';
import type { Notification } from '../../../../src/core/payload.js';
import { Profiler } from '../../../../src/core/profiler.js';
import { traceRequests, untraceRequests } from '../../../../src/instrumentation/http-client/trace-requests.js';
import { startTrace } from '../../../../src/instrumentation/http-client/start-trace.js';
import { wrapListener } from '../../../../src/instrumentation/http-server/node-http.js';

describe('startTrace', () => {
  let sent: Notification[];
  beforeEach(() => {
    sent = [];
    setNotifier((n) => sent.push(n));
  });
  afterEach(() => setNotifier(undefined));

  it('runs fn in a fresh trace and returns its result, the trace id and the show command', async () => {
    let inside: Profiler | undefined;
    let given: string | undefined;
    const outcome = await startTrace('KEY', async (traceId) => {
      given = traceId;
      await new Promise((resolve) => setTimeout(resolve, 1));
      inside = currentProfiler();
      return 42;
    });
    assert.equal(outcome.result, 42);
    assert.match(outcome.traceId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(given, outcome.traceId);
    assert.equal(outcome.showCommand, `osprofiler trace show ${outcome.traceId} --html --out trace.html`);
    assert.equal(inside?.getBaseId(), outcome.traceId);
    assert.equal(inside?.hmacKey, 'KEY');
    assert.equal(currentProfiler(), undefined);
  });

  it("starts a new trace even inside another one, leaving the caller's alone", async () => {
    const outer = new Profiler('OUTER');
    await runInProfiler(outer, async () => {
      const { traceId } = await startTrace('KEY', () => currentProfiler()!.getBaseId());
      assert.notEqual(traceId, outer.getBaseId());
      assert.equal(currentProfiler(), outer);
    });
  });

  it('lets an error from fn propagate unchanged', async () => {
    const error = new Error('nope');
    await assert.rejects(
      startTrace('KEY', () => {
        throw error;
      }),
      (thrown) => thrown === error,
    );
  });

  describe('with traceRequests()', () => {
    let server: http.Server;
    let url: string;
    let received: IncomingHttpHeaders[];
    before(async () => {
      received = [];
      server = http.createServer(
        wrapListener(
          (req, res) => {
            received.push(req.headers);
            res.end(currentProfiler()?.getBaseId() ?? 'untraced');
          },
          { hmacKeys: 'KEY' },
        ),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      traceRequests();
    });
    after(async () => {
      untraceRequests();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('makes the services fn calls join the trace (the --os-profile pattern)', async () => {
      const { result, traceId } = await startTrace('KEY', async () => (await fetch(url)).text());
      assert.equal(result, traceId);
      assert.equal(readTraceHeaders(received[0], ['KEY'])?.base_id, traceId);
      // why: the server's stop comes on its 'finish', which may follow the client's read.
      for (let i = 0; i < 400 && sent.length < 4; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      const names = sent.map((n) => n.name).sort();
      assert.deepEqual(names, ['http-start', 'http-stop', 'wsgi-start', 'wsgi-stop']);
      const client = sent.find((n) => n.name === 'http-start')!;
      const server = sent.find((n) => n.name === 'wsgi-start')!;
      assert.equal(client.parent_id, traceId);
      assert.equal(server.parent_id, client.trace_id);
    });
  });
});
