// RabbitMQ cut for 10 s under steady traced load (a TCP proxy on a spare port in front of the shared broker), then restored.
import { after, before, describe, it } from 'node:test';
import amqplib from 'amqplib';
import { requireService } from '../helpers/services.js';
import { amqpProbe } from '../helpers/rabbitmq.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { runOutage } from '../helpers/outage.js';
import { assertCleanOutage } from '../helpers/outage-asserts.js';

// why: a second broker is impractical here; a proxy that the test cuts gives the driver the same
// view (refused connections, reset sockets) and never touches the shared broker.
const URL = 'amqp://guest:guest@127.0.0.1:5672/';
const TOPIC = `osp_outage_${process.pid}_${Date.now()}`;
const QUEUE = `${TOPIC}.info`;

const gate = await requireService('RabbitMQ on 127.0.0.1:5672', amqpProbe(URL));

async function withChannel<T>(fn: (channel: amqplib.Channel) => Promise<T>): Promise<T> {
  const connection = await amqplib.connect(URL);
  try {
    return await fn(await connection.createChannel());
  } finally {
    await connection.close();
  }
}

describe('a RabbitMQ outage under load', { skip: gate.skip }, () => {
  let proxy: TcpProxy;
  before(async () => {
    proxy = await tcpProxy(5672);
  });
  after(async () => {
    await proxy?.close();
    await withChannel((channel) => channel.deleteQueue(QUEUE)).catch(() => {});
  });

  it('every request succeeds, memory stays bounded, losses are counted, writing resumes within 2 s', async (t) => {
    const figures = await runOutage({
      url: 'messaging://',
      options: { maxQueueSize: 2000, transportUrl: `rabbit://guest:guest@127.0.0.1:${proxy.port}/`, topic: TOPIC },
      stop: () => proxy.stop(),
      start: () => proxy.start(),
      stored: () => withChannel(async (channel) => (await channel.checkQueue(QUEUE)).messageCount),
    });
    t.diagnostic(JSON.stringify(figures, (k, v) => (k === 'stderr' ? undefined : v)));
    assertCleanOutage(figures, /writing \d+ notifications to messaging:\/\/ failed/);
  });
});
