// payloads.json `requests_head` cases (Python head's requests hook) replayed through fetch and
// http.request. Requests go to the fixtures' own URLs (compute.example.test, https://…); a custom
// connection routes every one to a local plain-HTTP server, so the span info comes from the real
// URL and the server sees the headers actually sent.
//
// Deliberate difference: when the send fails Python emits no stop (no try/finally in its hook),
// leaving the span open forever; we DO emit a stop carrying etype/message. For that case the
// start is compared exactly and the stop checked on its own.
import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runInProfiler } from '../../src/core/context.js';
import type { Notification } from '../../src/core/payload.js';
import { Profiler } from '../../src/core/profiler.js';
import {
  TracingAgent,
  TracingHttpsAgent,
  traceRequests,
  untraceRequests,
} from '../../src/instrumentation/http-client/trace-requests.js';
import { loadFixture } from '../helpers/fixtures.js';
import { replay } from '../helpers/fixture-world.js';

interface RequestsCase {
  why: string;
  init: { hmac_key: string; base_id: string; parent_id: string };
  url: string;
  method: string;
  ids_generated: string[];
  clock_reads: string[];
  status_returned?: number;
  headers_sent: Record<string, string>;
  raised_to_caller?: string;
  notifications: Notification[];
}

const cases = loadFixture<{ requests_head: RequestsCase[] }>('payloads.json').requests_head;

interface UndiciAgent {
  close(): Promise<void>;
}
type UndiciAgentClass = new (options: {
  connect: (options: unknown, callback: (error: Error | null, socket: Socket | null) => void) => void;
}) => UndiciAgent;

// why: the npm undici package gives fetch a dispatcher whose connection we can choose; it is only
// present as a dependency of another dev dependency, so the fetch variant skips without it.
const undici = (await import('undici' as string).catch(() => undefined)) as { Agent: UndiciAgentClass } | undefined;

describe('payloads.json requests_head cases', () => {
  let server: http.Server;
  let livePort: number;
  let deadPort: number;
  const received: IncomingHttpHeaders[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      received.push(req.headers);
      const c = cases.find(
        (k) => new URL(k.url).pathname + new URL(k.url).search === req.url && k.method === req.method,
      );
      res.statusCode = c?.status_returned ?? 200;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    livePort = (server.address() as AddressInfo).port;
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    deadPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    traceRequests({ http: false });
  });
  after(async () => {
    untraceRequests();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** The local port a fixture URL is routed to: the live server, or a closed port for "down" hosts. */
  const portFor = (c: RequestsCase) => (c.raised_to_caller === undefined ? livePort : deadPort);

  function check(c: RequestsCase, notifications: Notification[], outcome: unknown): void {
    if (c.raised_to_caller === undefined) {
      assert.equal(outcome, c.status_returned);
      assert.deepEqual(notifications, c.notifications);
      const headers = received.at(-1)!;
      assert.equal(headers['x-trace-info'], c.headers_sent['X-Trace-Info']);
      assert.equal(headers['x-trace-hmac'], c.headers_sent['X-Trace-HMAC']);
      return;
    }
    assert.ok(outcome instanceof Error, 'the error reaches the caller');
    assert.deepEqual(notifications[0], c.notifications[0]);
    assert.equal(c.notifications.length, 1, 'Python emits no stop');
    assert.equal(notifications.length, 2, 'we do');
    assert.equal(notifications[1].name, `${new URL(c.url).protocol.slice(0, -1)}-stop`);
    assert.equal(notifications[1].trace_id, c.notifications[0].trace_id);
    assert.match(String(notifications[1].info.message), /ECONNREFUSED/);
    assert.equal(typeof notifications[1].info.etype, 'string');
  }

  function inTrace<R>(c: RequestsCase, fn: () => Promise<R>): Promise<R> {
    return runInProfiler(new Profiler(c.init.hmac_key, c.init.base_id, c.init.parent_id), fn);
  }

  const frozen = (c: RequestsCase) => ({
    ids_generated: c.ids_generated,
    clock_reads: [...c.clock_reads, ...c.clock_reads],
  });

  for (const c of cases) {
    const title = c.raised_to_caller === undefined ? c.why : `${c.why} (we deliberately emit a stop with etype)`;
    it(`http.request: ${title}`, async () => {
      const local = portFor(c);
      const AgentClass = new URL(c.url).protocol === 'https:' ? TracingHttpsAgent : TracingAgent;
      // why: a plain TCP connection to the local server whatever the URL says (https included).
      const agent = new (class extends AgentClass {
        override createConnection(): Socket {
          return net.connect(local, '127.0.0.1');
        }
      })();
      let outcome: unknown;
      const notifications = await replay(frozen(c), async () => {
        outcome = await inTrace(
          c,
          () =>
            new Promise<number>((resolve, reject) => {
              const req = (AgentClass === TracingHttpsAgent ? https : http).request(
                c.url,
                { method: c.method, agent },
                (res) => {
                  res.resume();
                  res.on('end', () => resolve(res.statusCode!));
                },
              );
              req.on('error', reject);
              req.end();
            }),
        ).catch((error: unknown) => error);
      });
      agent.destroy();
      check(c, notifications, outcome);
    });

    it(`fetch: ${title}`, async (t) => {
      if (undici === undefined) {
        t.skip('the undici package is not installed');
        return;
      }
      const local = portFor(c);
      const dispatcher = new undici.Agent({
        connect: (_options, callback) => {
          const socket = net.connect(local, '127.0.0.1');
          socket.once('connect', () => callback(null, socket));
          socket.once('error', (error) => callback(error, null));
        },
      });
      let outcome: unknown;
      const notifications = await replay(frozen(c), async () => {
        outcome = await inTrace(c, async () => {
          const response = await fetch(c.url, { method: c.method, dispatcher } as RequestInit);
          await response.arrayBuffer();
          return response.status;
        }).catch((error: unknown) => error);
      });
      await dispatcher.close();
      check(c, notifications, outcome);
    });
  }
});
