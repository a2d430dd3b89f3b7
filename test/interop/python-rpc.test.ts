// One live trace across RPC between a Node service and a Python one over RabbitMQ: oslo.messaging
// with Nova's profiler context serializer on the Python side, instrumentAmqp's oslo-context form on
// ours; both store to one Redis, and our reader and Python's CLI print the same report.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import amqplib from 'amqplib';
import { createNotifier, setNotifier, trace, type Notifier } from '../../src/index.js';
import { instrumentAmqp } from '../../src/rpc.js';
import { startTrace } from '../../src/web.js';
import { createRedisDriver } from '../../src/drivers/redis/driver.js';
import type { Driver } from '../../src/drivers/driver.js';
import { requireService, tcpProbe } from '../helpers/services.js';
import { amqpProbe } from '../helpers/rabbitmq.js';
import { createTestVhost, vhostSkip, type TestVhost } from '../helpers/rabbitmq-vhost.js';
import { python, pythonCli, pythonLacks } from '../helpers/python-peer.js';
import { flushRedis, onlyChild, readByBothClis } from '../helpers/mixed-trace.js';

const run = promisify(execFile);
const peer = fileURLToPath(new URL('./python/rpc_peer.py', import.meta.url));
const STORE = 'redis://127.0.0.1:6379/9';
const KEY = 'rpc-secret';
/** oslo.messaging's default control_exchange, a topic exchange it declares neither durable nor auto-deleted. */
const EXCHANGE = 'openstack';

const skip =
  pythonCli.skip ||
  vhostSkip ||
  (await requireService('RabbitMQ on 127.0.0.1:5672', amqpProbe('amqp://guest:guest@127.0.0.1:5672/'))).skip ||
  (await requireService('Redis on 127.0.0.1:6379', tcpProbe('127.0.0.1', 6379))).skip ||
  (await pythonLacks('oslo_messaging, redis', 'python3-oslo.messaging python3-redis'));

/** An oslo.messaging 2.0 envelope of a cast, as a Node service sending to a Python one writes it. */
function osloCast(method: string, args: Record<string, unknown>): Buffer {
  const message = { method, args, version: '1.0', _unique_id: randomUUID().replace(/-/g, ''), _context_user_id: 'u1' };
  return Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(message) }));
}

describe('a live trace across oslo.messaging RPC between Node and Python (RabbitMQ)', { skip }, () => {
  let vhost: TestVhost;
  let connection: amqplib.ChannelModel;
  let notifier: Notifier;
  let reader: Driver;

  before(async () => {
    await flushRedis(STORE);
    vhost = await createTestVhost();
    connection = await amqplib.connect(vhost.amqpUrl);
    notifier = createNotifier(STORE, { project: 'nova', service: 'compute', flushIntervalMs: 5 });
    setNotifier(notifier);
    reader = await createRedisDriver(STORE);
  });

  after(async () => {
    await connection?.close().catch(() => {});
    await vhost?.delete();
    setNotifier(undefined);
    await notifier?.shutdown();
    await reader?.close?.();
    await flushRedis(STORE).catch(() => {});
  });

  /**
   * A Node compute service consuming `topic` through an instrumented channel (oslo-context form,
   * accepting `hmacKeys`), once it consumes; `handled` resolves with the first message's oslo body
   * once its handler is done.
   */
  async function computeService(
    topic: string,
    hmacKeys: string,
  ): Promise<{ handled: Promise<Record<string, unknown>> }> {
    const channel = instrumentAmqp(await connection.createChannel(), { propagation: 'oslo-context', hmacKeys });
    await channel.assertExchange(EXCHANGE, 'topic', { durable: false, autoDelete: false });
    await channel.assertQueue(topic, { durable: false, autoDelete: false });
    await channel.bindQueue(topic, EXCHANGE, topic);
    const buildInstance = trace('db', { info: { db: { statement: 'INSERT INTO instances', params: {} } } })(
      async (name: unknown) => name,
    );
    let resolve: (body: Record<string, unknown>) => void;
    const handled = new Promise<Record<string, unknown>>((done) => (resolve = done));
    await channel.consume(topic, (msg) => {
      if (msg === null) return;
      const body = JSON.parse(JSON.parse(msg.content.toString())['oslo.message'] as string) as Record<string, unknown>;
      void buildInstance((body.args as { instance: unknown }).instance).then(() => {
        channel.ack(msg);
        resolve(body);
      });
    });
    return { handled };
  }

  it('Python nova-api casts to a Node compute service: its consumer span joins the trace', async () => {
    const { handled } = await computeService('compute', KEY);
    const { stdout } = await run(python!, [peer, 'cast', STORE, KEY, vhost.rabbitUrl, 'compute'], {
      timeout: 60_000,
    });
    const { base_id: baseId } = JSON.parse(stdout) as { base_id: string };
    const body = await handled;
    assert.equal(body.method, 'build_instance');

    const report = await readByBothClis(notifier, reader.reader!, STORE, baseId);
    const api = onlyChild(report, 'api', 'service', 'api');
    const consumed = onlyChild(api, 'rpc', 'service', 'compute');
    assert.equal(consumed.parent_id, api.trace_id, 'trace_info names the point the cast was made in');
    assert.deepEqual((consumed.info['meta.raw_payload.rpc-start'] as { info: unknown }).info, {
      exchange: EXCHANGE,
      routing_key: 'compute',
      queue: 'compute',
      host: (consumed.info['meta.raw_payload.rpc-start'] as { info: { host: string } }).info.host,
    });
    onlyChild(consumed, 'db', 'service', 'compute');
  });

  it('a Node service casts to Python cinder-volume: the Python manager joins the trace', async () => {
    const server = spawn(python!, [peer, 'serve', STORE, vhost.rabbitUrl, 'volume']);
    const errors: string[] = [];
    server.stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
    const lines = createInterface({ input: server.stdout })[Symbol.asyncIterator]();
    const next = async (): Promise<Record<string, unknown>> => {
      const line = await lines.next();
      assert.ok(!line.done, `the Python service ended early: ${errors.join('')}`);
      return JSON.parse(line.value as string) as Record<string, unknown>;
    };
    try {
      assert.deepEqual(await next(), { ready: true });
      const channel = instrumentAmqp(await connection.createChannel(), { propagation: 'oslo-context' });
      const { traceId } = await startTrace(KEY, () =>
        channel.publish(EXCHANGE, 'volume', osloCast('create_volume', { size: 10 }), {
          contentType: 'application/json',
          contentEncoding: 'utf-8',
        }),
      );
      assert.deepEqual(await next(), { traced: true, size: 10 });
      await once(server, 'exit');

      const report = await readByBothClis(notifier, reader.reader!, STORE, traceId);
      const published = onlyChild(report, 'rpc', 'service', 'compute');
      const manager = onlyChild(published, 'rpc', 'service', 'volume');
      assert.equal(manager.info.project, 'cinder');
      const called = (manager.info['meta.raw_payload.rpc-start'] as { info: { function: { name: string } } }).info;
      assert.match(called.function.name, /VolumeManager\.create_volume$/, 'trace_cls("rpc") names the method');
      onlyChild(manager, 'db', 'service', 'volume');
    } finally {
      server.kill();
    }
  });

  it('a cast from a profiler without the consumer’s key runs the Node handler outside any trace', async () => {
    const { handled } = await computeService('compute-2', 'some-other-key');
    const { stdout } = await run(python!, [peer, 'cast', STORE, KEY, vhost.rabbitUrl, 'compute-2'], {
      timeout: 60_000,
    });
    const { base_id: baseId } = JSON.parse(stdout) as { base_id: string };
    assert.equal((await handled).method, 'build_instance');
    const report = await readByBothClis(notifier, reader.reader!, STORE, baseId);
    assert.deepEqual(
      report.children.map((node) => [node.info.service, node.children.length]),
      [['api', 0]],
      "only Python's own point: the consumer did not accept the key in trace_info",
    );
  });
});
