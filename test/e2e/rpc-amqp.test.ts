// A trace started behind wrapListener continues in a consumer in another process, through instrumentAmqp(channel, { hmacKeys }) and the real RabbitMQ.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import amqplib, { type Channel, type ChannelModel } from 'amqplib';
import { instrumentAmqp } from '../../src/instrumentation/amqp.js';
import { wrapListener } from '../../src/instrumentation/http-server/node-http.js';
import { setNotifier } from '../../src/notifier/notifier.js';
import { signedPack } from '../../src/propagation/signing.js';
import { buildReport } from '../../src/report/build.js';
import type { Notification } from '../../src/core/payload.js';
import type { ReportNode } from '../../src/report/types.js';
import { requireService } from '../helpers/services.js';
import { AMQP_URL, amqpProbe } from '../helpers/rabbitmq.js';

const gate = await requireService('RabbitMQ on 127.0.0.1:5672', amqpProbe(AMQP_URL));

const src = (path: string): string => JSON.stringify(fileURLToPath(new URL(`../../src/${path}`, import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'osp-rpc-'));

/** The consumer service: its own process, its own keys; prints its notifications as JSON lines. */
const CONSUMER = `import amqplib from ${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('amqplib')).href)};
import { instrumentAmqp } from ${src('instrumentation/amqp.ts')};
import { setNotifier } from ${src('notifier/notifier.ts')};
import { withTrace } from ${src('core/trace.ts')};
import { currentProfiler } from ${src('core/context.ts')};
const [url, queue, keys] = process.argv.slice(2);
setNotifier((n) => process.stdout.write('N ' + JSON.stringify(n) + '\\n'));
const connection = await amqplib.connect(url);
const channel = instrumentAmqp(await connection.createChannel(), { hmacKeys: keys });
await channel.assertQueue(queue, { durable: false, autoDelete: false });
await channel.consume(queue, async (message) => {
  if (message === null) return;
  await withTrace('work', { job: message.content.toString() }, async () => {});
  channel.ack(message);
  process.stdout.write('traced ' + String(currentProfiler() !== undefined) + '\\n');
  await connection.close();
}, { noAck: false });
process.stdout.write('ready\\n');
`;

interface ChildRun {
  notifications: Notification[];
  traced: string | undefined;
  code: number | null;
  stderr: string;
}

describe('instrumentAmqp across processes (real RabbitMQ)', { skip: gate.skip }, () => {
  let connection: ChannelModel;
  let publisher: Channel;
  let server: Server;
  let port = 0;
  const queues: string[] = [];
  let parentNotes: Notification[] = [];
  let currentQueue = '';

  before(async () => {
    writeFileSync(join(dir, 'consumer.mts'), CONSUMER);
    connection = await amqplib.connect(AMQP_URL);
    publisher = instrumentAmqp(await connection.createChannel());
    setNotifier((n) => parentNotes.push(n));
    server = createServer(
      wrapListener(
        (_req, res) => {
          publisher.sendToQueue(currentQueue, Buffer.from('resize-42'));
          res.end('queued');
        },
        { hmacKeys: 'secret' },
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  after(async () => {
    setNotifier(undefined);
    server?.close();
    const channel = await connection.createChannel();
    for (const q of queues) await channel.deleteQueue(q).catch(() => {});
    await connection.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the consumer process with `keys`, sends one signed request, and waits for the consumer to finish. */
  async function requestThroughConsumer(base: string, keys: string): Promise<ChildRun> {
    currentQueue = `osprofiler-rpc-${randomUUID()}`;
    queues.push(currentQueue);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(dir, 'consumer.mts'), AMQP_URL, currentQueue, keys],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const ready = new Promise<void>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        if (stdout.includes('ready\n')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await Promise.race([ready, exited]);
    const [info, hmac] = signedPack({ base_id: base, parent_id: base }, 'secret');
    const response = await fetch(`http://127.0.0.1:${port}/v2/servers/42/action`, {
      method: 'POST',
      headers: { 'X-Trace-Info': info, 'X-Trace-HMAC': hmac! },
    });
    assert.equal(await response.text(), 'queued');
    const code = await exited;
    clearTimeout(timer);
    const lines = stdout.split('\n');
    return {
      notifications: lines.filter((l) => l.startsWith('N ')).map((l) => JSON.parse(l.slice(2)) as Notification),
      traced: lines.find((l) => l.startsWith('traced '))?.slice('traced '.length),
      code,
      stderr,
    };
  }

  it('the consumer process continues the trace: its spans sit under the publish span, under the request span', async () => {
    parentNotes = [];
    const base = randomUUID();
    const consumer = await requestThroughConsumer(base, 'other,secret');
    assert.equal(consumer.code, 0, consumer.stderr);
    assert.equal(consumer.traced, 'true');
    assert.deepEqual(
      consumer.notifications.map((n) => [n.name, n.base_id]),
      [
        ['rpc-start', base],
        ['work-start', base],
        ['work-stop', base],
        ['rpc-stop', base],
      ],
    );
    const report = buildReport([...parentNotes, ...consumer.notifications]);
    const path: string[] = [];
    let nodes: ReportNode[] = report.children;
    while (nodes.length === 1) {
      path.push(nodes[0]!.info.name as string);
      nodes = nodes[0]!.children;
    }
    assert.equal(nodes.length, 0, 'one chain, no loose spans');
    assert.deepEqual(path, ['wsgi', 'rpc', 'rpc', 'work']);
    const publish = parentNotes.find((n) => n.name === 'rpc-start')!;
    assert.equal(consumer.notifications[0]!.parent_id, publish.trace_id);
  });

  it('a consumer that does not hold the signing key records nothing for the message', async () => {
    parentNotes = [];
    const consumer = await requestThroughConsumer(randomUUID(), 'other');
    assert.equal(consumer.code, 0, consumer.stderr);
    assert.equal(consumer.traced, 'false');
    assert.deepEqual(consumer.notifications, []);
    assert.ok(
      parentNotes.some((n) => n.name === 'rpc-start'),
      'the publisher still traced its side',
    );
  });
});
