import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { currentProfiler, runInProfiler } from '../../../../src/core/context.js';
import { readTraceHeaders } from '../../../../src/propagation/headers.js';
import { getNotifier, noopNotifier, setNotifier } from '../../../../src/notifier/notifier.js';
import { flush, shutdown } from '../../../../src/notifier/lifecycle.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Profiler } from '../../../../src/core/profiler.js';
import { traceRequests, untraceRequests } from '../../../../src/instrumentation/http-client/trace-requests.js';
import { showCommandFor, startTrace } from '../../../../src/instrumentation/http-client/start-trace.js';
import { createNotifier } from '../../../../src/notifier/create.js';
import { defaultConnectionString } from '../../../../src/drivers/sqlite/default-location.js';
import { wrapListener } from '../../../../src/instrumentation/http-server/node-http.js';
import type { Report } from '../../../../src/report/types.js';
import { captureEachTest } from '../../../helpers/capture.js';

describe('startTrace', () => {
  const sent = captureEachTest();

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
    assert.equal(outcome.showCommand, `npx osprofiler trace show ${outcome.traceId} --html --out trace.html`);
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

  describe('without traceRequests() (the README script)', () => {
    let server: http.Server;
    let url: string;
    let received: IncomingHttpHeaders[];
    before(async () => {
      received = [];
      // why: a plain server, not our middleware: it checks what arrives on the wire.
      server = http.createServer((req, res) => {
        received.push(req.headers);
        res.end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cart/1`;
    });
    beforeEach(() => {
      received = [];
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    function httpGet(target: string): Promise<string> {
      return new Promise((resolve, reject) => {
        // why: the default global agent, as a script's plain `http.get(url)` uses.
        http
          .get(target, (res) => {
            res.resume();
            res.on('end', () => resolve(String(res.statusCode)));
          })
          .on('error', reject);
      });
    }

    it('fetch inside fn carries signed headers of the new trace, and none once startTrace returned', async () => {
      const { traceId } = await startTrace('KEY', async () => (await fetch(url)).text());
      assert.equal(received.length, 1);
      const info = readTraceHeaders(received[0], ['KEY']);
      assert.equal(info?.base_id, traceId, 'verified with the key');
      const client = sent.find((n) => n.name === 'http-start');
      assert.equal(info?.parent_id, client?.trace_id, "the service's parent is the client span");
      await (await fetch(url)).text();
      assert.equal(received[1]?.['x-trace-info'], undefined);
      assert.equal(received[1]?.['x-trace-hmac'], undefined);
    });

    it('node:http inside fn carries signed headers, and none once startTrace returned', async () => {
      const { traceId } = await startTrace('KEY', () => httpGet(url));
      assert.equal(readTraceHeaders(received[0], ['KEY'])?.base_id, traceId);
      await httpGet(url);
      assert.equal(received[1]?.['x-trace-info'], undefined);
      assert.equal(http.globalAgent.constructor, http.Agent, 'the global agent is put back');
    });

    it('another trace running meanwhile does not get headers (scoped, not a global switch)', async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const running = startTrace('KEY', () => held);
      await runInProfiler(new Profiler('OTHER'), async () => {
        await (await fetch(url)).text();
        await httpGet(url);
      });
      release();
      await running;
      assert.equal(received.length, 2);
      for (const headers of received) assert.equal(headers['x-trace-info'], undefined);
    });
  });

  describe('showCommand', () => {
    afterEach(() => setNotifier(undefined));

    it('starts with npx osprofiler and leaves the default store unnamed', () => {
      assert.equal(
        showCommandFor('abc', defaultConnectionString()),
        'npx osprofiler trace show abc --html --out trace.html',
      );
      setNotifier(() => {});
      assert.equal(showCommandFor('abc'), 'npx osprofiler trace show abc --html --out trace.html');
    });

    it('names a store that is not the default, with the password redacted', () => {
      const command = showCommandFor('abc', 'mysql+pymysql://root:s3cret@db.example/test');
      assert.ok(command.startsWith('npx osprofiler trace show abc'), command);
      assert.match(command, /--connection-string 'mysql\+pymysql:\/\/root:\*\*\*@db\.example\/test'/);
      assert.doesNotMatch(command, /s3cret/);
    });

    it("names the current notifier's store by default", async () => {
      const notifier = createNotifier('memory://start-trace-show');
      setNotifier(notifier);
      const { showCommand } = await startTrace('KEY', () => 1);
      assert.match(showCommand, / --connection-string memory:\/\/start-trace-show( |$)/);
      await notifier.shutdown();
    });
  });

  describe('in a script with no notifier (the README script)', () => {
    let home: string;
    let savedHome: string | undefined;
    before(() => {
      savedHome = process.env.OSPROFILER_HOME;
      home = mkdtempSync(join(tmpdir(), 'osp-start-trace-'));
      process.env.OSPROFILER_HOME = home;
    });
    after(async () => {
      await shutdown();
      if (savedHome === undefined) delete process.env.OSPROFILER_HOME;
      else process.env.OSPROFILER_HOME = savedHome;
      rmSync(home, { recursive: true, force: true });
    });

    it("stores its own client span in the default store, where the service's spans nest under it", async () => {
      setNotifier(undefined);
      const server = http.createServer((req, res) => res.end(JSON.stringify(readTraceHeaders(req.headers, ['KEY']))));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
        const { traceId, result, showCommand } = await startTrace('KEY', async () => (await fetch(url)).json());
        assert.equal(showCommand, `npx osprofiler trace show ${traceId} --html --out trace.html`);
        assert.equal(getNotifier(), noopNotifier(), 'the process-wide notifier is left alone');
        const store = createNotifier(defaultConnectionString());
        const report = await waitForReport(store, traceId);
        const client = report.children[0];
        assert.equal(client?.info.name, 'http');
        assert.equal((result as { parent_id?: string }).parent_id, client?.trace_id, 'the service nests under it');
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('another trace running meanwhile is not written to that store', async () => {
      setNotifier(undefined);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const running = startTrace('KEY', () => held);
      const other = new Profiler('OTHER');
      runInProfiler(other, () => {
        other.start('other');
        other.stop();
      });
      release();
      await running;
      const store = createNotifier(defaultConnectionString());
      await flush();
      const report = await store.driver()!.reader!.getReport(other.getBaseId());
      assert.equal(report.children.length, 0);
    });
  });
});

async function waitForReport(notifier: ReturnType<typeof createNotifier>, traceId: string): Promise<Report> {
  for (let i = 0; i < 200; i++) {
    await notifier.flush();
    const driver = notifier.driver();
    if (driver !== undefined) {
      const report = await driver.reader!.getReport(traceId);
      if (report.children.length > 0) return report;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail('the trace was not stored');
}
