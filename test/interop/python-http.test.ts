// One live trace across a Node service and a Python service (OSProfiler's own WsgiMiddleware and
// get_trace_id_headers), both storing to one Redis, read by our reader and by Python's CLI.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createNotifier, setNotifier, trace, type Notifier } from '../../src/index.js';
import { startTrace, wrapListener } from '../../src/web.js';
import { createRedisDriver } from '../../src/drivers/redis/driver.js';
import type { Driver } from '../../src/drivers/driver.js';
import { requireService, tcpProbe } from '../helpers/services.js';
import { python, pythonCli, pythonLacks } from '../helpers/python-peer.js';
import { flushRedis, onlyChild, readByBothClis } from '../helpers/mixed-trace.js';

const run = promisify(execFile);
const peer = fileURLToPath(new URL('./python/http_peer.py', import.meta.url));
const STORE = 'redis://127.0.0.1:6379/8';
const KEY = 'interop-secret';

const skip =
  pythonCli.skip ||
  (await requireService('Redis on 127.0.0.1:6379', tcpProbe('127.0.0.1', 6379))).skip ||
  (await pythonLacks('redis, webob', 'python3-redis python3-webob'));

describe('a live trace across Node and Python services (Python OSProfiler 3.4.3)', { skip }, () => {
  let keystone: ChildProcessWithoutNullStreams;
  let keystoneUrl: string;
  let nova: Server;
  let novaUrl: string;
  let notifier: Notifier;
  let reader: Driver;

  before(async () => {
    await flushRedis(STORE);
    notifier = createNotifier(STORE, { project: 'nova', service: 'api', host: 'node-host', flushIntervalMs: 5 });
    setNotifier(notifier);
    reader = await createRedisDriver(STORE);
    const listInstances = trace('db', { info: { db: { statement: 'SELECT * FROM instances', params: {} } } })(
      async () => [{ id: 1 }],
    );
    nova = createServer(
      wrapListener(
        async (_req, res) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(await listInstances()));
        },
        { hmacKeys: KEY, enabled: true },
      ),
    );
    nova.listen(0, '127.0.0.1');
    await once(nova, 'listening');
    novaUrl = `http://127.0.0.1:${(nova.address() as AddressInfo).port}/servers`;

    keystone = spawn(python!, [peer, 'serve', STORE, KEY]);
    const errors: string[] = [];
    keystone.stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
    const [line] = (await Promise.race([
      once(createInterface({ input: keystone.stdout }), 'line'),
      once(keystone, 'exit').then(() => assert.fail(`the Python service exited: ${errors.join('')}`)),
    ])) as [string];
    keystoneUrl = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`;
  });

  after(async () => {
    keystone?.stdin.end();
    nova?.close();
    setNotifier(undefined);
    await notifier?.shutdown();
    await reader?.close?.();
    await flushRedis(STORE).catch(() => {});
  });

  it('Node script → Python service → Node service: one tree, the same JSON from both CLIs', async () => {
    const url = `${keystoneUrl}/v3/users?next=${encodeURIComponent(novaUrl)}`;
    const { traceId, result } = await startTrace(KEY, async () => (await fetch(url)).json());
    assert.deepEqual(result, { traced: true, onward: '[{"id":1}]' });

    const report = await readByBothClis(notifier, reader.reader!, STORE, traceId);
    assert.equal(report.children.length, 1);
    const call = onlyChild(report, 'http', 'project', 'nova');
    const wsgi = onlyChild(call, 'wsgi', 'project', 'keystone');
    assert.equal(wsgi.parent_id, call.trace_id, "Python's span hangs under the request that carried the headers");
    assert.equal(wsgi.info.host, hostname(), "Python's profiler records the machine's hostname, as ours does");
    onlyChild(wsgi, 'db', 'project', 'keystone');
    const api = onlyChild(wsgi, 'wsgi', 'project', 'nova');
    assert.equal(api.parent_id, wsgi.trace_id, "get_trace_id_headers names Python's wsgi span as the parent");
    onlyChild(api, 'db', 'project', 'nova');
    assert.deepEqual(Object.keys(report.stats).sort(), ['db', 'http', 'wsgi']);
    assert.equal(report.stats.wsgi!.count, 2);
  });

  it("Python's --os-profile client → Node service: Node's spans join Python's trace", async () => {
    const { stdout } = await run(python!, [peer, 'call', STORE, KEY, novaUrl]);
    const called = JSON.parse(stdout) as { base_id: string; status: number; body: string };
    assert.deepEqual([called.status, called.body], [200, '[{"id":1}]']);

    const report = await readByBothClis(notifier, reader.reader!, STORE, called.base_id);
    const client = onlyChild(report, 'client', 'project', 'openstackclient');
    const api = onlyChild(client, 'wsgi', 'project', 'nova');
    assert.equal(api.parent_id, client.trace_id);
    assert.deepEqual(api.info['meta.raw_payload.wsgi-start'], {
      name: 'wsgi-start',
      base_id: called.base_id,
      trace_id: api.trace_id,
      parent_id: client.trace_id,
      project: 'nova',
      service: 'api',
      timestamp: (api.info['meta.raw_payload.wsgi-start'] as { timestamp: string }).timestamp,
      info: {
        request: { path: '/servers', query: '', method: 'GET', scheme: 'http' },
        host: hostname(),
      },
    });
    onlyChild(api, 'db', 'project', 'nova');
  });

  it('a key the other side does not hold traces nothing there, and the request is answered as usual', async () => {
    const url = `${keystoneUrl}/v3/users`;
    const { traceId, result } = await startTrace('not-the-key', async () => (await fetch(url)).json());
    assert.deepEqual(result, { traced: false, onward: null });
    const fromNode = await readByBothClis(notifier, reader.reader!, STORE, traceId);
    assert.deepEqual(
      fromNode.children.map((node) => node.info.project),
      ['nova'],
      'only our own client span: Python ignored the headers',
    );

    const { stdout } = await run(python!, [peer, 'call', STORE, 'not-the-key', novaUrl]);
    const called = JSON.parse(stdout) as { base_id: string; status: number; body: string };
    assert.deepEqual([called.status, called.body], [200, '[{"id":1}]']);
    const fromPython = await readByBothClis(notifier, reader.reader!, STORE, called.base_id);
    assert.deepEqual(
      fromPython.children.map((node) => [node.info.name, node.children.length]),
      [['client', 0]],
      "only Python's client span: Node ignored the headers",
    );
  });
});
