// instrumentAmqp and the messaging:// driver against the real RabbitMQ on 127.0.0.1:5672 (guest/guest).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import amqplib, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { currentProfiler } from '../../src/core/context.js';
import { runWithProfiler } from '../../src/core/current.js';
import { createDriver, registerDriver } from '../../src/drivers/driver.js';
import { createMessagingDriver, type MessagingDriver } from '../../src/drivers/messaging/driver.js';
import { NotSupportedError } from '../../src/errors.js';
import { createNotifier } from '../../src/notifier/create.js';
import { setNotifier } from '../../src/notifier/notifier.js';
import type { Notification } from '../../src/core/payload.js';
import { Profiler } from '../../src/core/profiler.js';
import { instrumentAmqp } from '../../src/instrumentation/amqp.js';
import { withTrace } from '../../src/core/trace.js';
import { requireService } from '../helpers/services.js';
import { AMQP_URL as URL, amqpProbe } from '../helpers/rabbitmq.js';

const gate = await requireService('RabbitMQ on 127.0.0.1:5672', amqpProbe(URL));

registerDriver('messaging', createMessagingDriver);

/** Resolves with the next `count` values pushed through `push`. */
function collector<T>(count: number, timeoutMs = 5000) {
  const items: T[] = [];
  let resolve!: (items: T[]) => void;
  const done = new Promise<T[]>((r) => (resolve = r));
  const timer = setTimeout(() => resolve(items), timeoutMs);
  return {
    push(item: T) {
      items.push(item);
      if (items.length === count) {
        clearTimeout(timer);
        resolve(items);
      }
    },
    done,
  };
}

describe('instrumentAmqp with RabbitMQ', { skip: gate.skip }, () => {
  let publisherConnection: ChannelModel;
  let consumerConnection: ChannelModel;
  let consumer: Channel;
  const queue = `osprofiler-test-${randomUUID()}`;
  let sent: Notification[] = [];

  before(async () => {
    publisherConnection = await amqplib.connect(URL);
    consumerConnection = await amqplib.connect(URL);
    consumer = instrumentAmqp(await consumerConnection.createChannel(), { hmacKeys: 'other,secret' });
    await consumer.assertQueue(queue, { exclusive: false, autoDelete: false, durable: false });
    setNotifier((n) => sent.push(n));
  });

  after(async () => {
    setNotifier(undefined);
    await consumer?.deleteQueue(queue).catch(() => {});
    await publisherConnection?.close().catch(() => {});
    await consumerConnection?.close().catch(() => {});
  });

  async function consumeOnce<T>(handler: (message: ConsumeMessage) => T | Promise<T>): Promise<T> {
    const got = collector<T>(1);
    const { consumerTag } = await consumer.consume(
      queue,
      async (message) => {
        if (message === null) return;
        consumer.ack(message);
        got.push(await handler(message));
      },
      { noAck: false },
    );
    const [result] = await got.done;
    await consumer.cancel(consumerTag);
    return result as T;
  }

  it('a publish in a trace reaches a consumer on another connection, whose span is a child of the publish span', async () => {
    sent = [];
    const publisher = instrumentAmqp(await publisherConnection.createChannel());
    const received = consumeOnce(async (message) => {
      const profiler = currentProfiler();
      await withTrace('work', { n: 1 }, async () => {});
      return { base: profiler?.getBaseId(), headers: message.properties.headers ?? {} };
    });
    const base = randomUUID();
    runWithProfiler(new Profiler('secret', base), () =>
      withTrace('api', undefined, () => publisher.sendToQueue(queue, Buffer.from('{"job": 1}'))),
    );
    const result = await received;
    await publisher.close();
    assert.equal(result.base, base);
    assert.ok(typeof result.headers['X-Trace-Info'] === 'string');
    assert.ok(typeof result.headers['X-Trace-HMAC'] === 'string');
    const byName = (name: string) => sent.find((n) => n.name === name)!;
    for (let i = 0; i < 50 && !byName('rpc-stop'); i++) await new Promise((r) => setTimeout(r, 10));
    const api = byName('api-start');
    const publish = sent.filter((n) => n.name === 'rpc-start')[0]!;
    const consume = sent.filter((n) => n.name === 'rpc-start')[1]!;
    const work = byName('work-start');
    assert.equal(publish.parent_id, api.trace_id);
    assert.deepEqual(publish.info.routing_key, queue);
    assert.equal(consume.parent_id, publish.trace_id, 'the consumer span is a child of the publish span');
    assert.equal(consume.base_id, base);
    assert.equal(consume.info.queue, queue);
    assert.equal(work.parent_id, consume.trace_id);
    assert.equal(sent.filter((n) => n.name === 'rpc-stop').length, 2);
  });

  it('a ConfirmChannel publish ends its span at the broker’s confirm', async () => {
    sent = [];
    const publisher = instrumentAmqp(await publisherConnection.createConfirmChannel());
    const received = consumeOnce(() => currentProfiler()?.getBaseId());
    const base = randomUUID();
    const confirmed = new Promise<unknown>((resolve) =>
      runWithProfiler(new Profiler('secret', base), () =>
        publisher.publish('', queue, Buffer.from('x'), {}, (error) => resolve([error, currentProfiler()?.getBaseId()])),
      ),
    );
    assert.deepEqual(await confirmed, [null, base]);
    assert.equal(await received, base);
    await publisher.close();
    assert.ok(sent.some((n) => n.name === 'rpc-stop' && n.base_id === base));
  });

  it('without a trace, messages carry no trace headers and nothing is recorded', async () => {
    sent = [];
    const publisher = instrumentAmqp(await publisherConnection.createChannel());
    const received = consumeOnce((message) => ({
      headers: message.properties.headers ?? {},
      traced: currentProfiler() !== undefined,
    }));
    publisher.sendToQueue(queue, Buffer.from('plain'), { headers: { app: 'x' } });
    const result = await received;
    await publisher.close();
    assert.deepEqual(result, { headers: { app: 'x' }, traced: false });
    assert.deepEqual(sent, []);
  });
});

describe('messaging:// driver with RabbitMQ', { skip: gate.skip }, () => {
  const exchange = `osprofiler-test-${randomUUID()}`;
  const topic = `profiler-test-${randomUUID()}`;
  const options = {
    transportUrl: URL,
    controlExchange: exchange,
    topic,
    project: 'nova',
    service: 'api',
    host: 'it-host',
    idleTimeoutMs: 1000,
  };
  let driver: MessagingDriver;
  let raw: ChannelModel;

  before(async () => {
    driver = await createMessagingDriver('messaging://', options);
    raw = await amqplib.connect(URL);
  });

  after(async () => {
    await driver?.close();
    const channel = await raw.createChannel();
    await channel.deleteQueue(`${topic}.info`).catch(() => {});
    await channel.deleteExchange(exchange).catch(() => {});
    await raw.close().catch(() => {});
  });

  function span(base: string, name: string, parent: string, start: string, stop: string): Notification[] {
    const trace = randomUUID();
    const point = (suffix: string, timestamp: string): Notification => ({
      name: `${name}-${suffix}`,
      base_id: base,
      trace_id: trace,
      parent_id: parent,
      timestamp,
      info: { host: 'it-host' },
    });
    return [point('start', start), point('stop', stop)];
  }

  it('publishes each notification as an oslo.messaging 1.0 message on exchange/<topic>.info', async () => {
    const base = randomUUID();
    await driver.notifyBatch(span(base, 'wsgi', base, '2024-05-14T09:30:12.000100', '2024-05-14T09:30:12.004100'));
    const channel = await raw.createChannel();
    const message = await channel.get(`${topic}.info`, { noAck: false });
    assert.ok(message, 'the message waits in the declared queue');
    channel.nack(message, false, true); // back on the queue for the next test
    await channel.close();
    assert.equal(message.fields.exchange, exchange);
    assert.equal(message.fields.routingKey, `${topic}.info`);
    assert.equal(message.properties.contentType, 'application/json');
    assert.equal(message.properties.contentEncoding, 'utf-8');
    const body = JSON.parse(message.content.toString('utf8'));
    assert.deepEqual(Object.keys(body), [
      'message_id',
      'publisher_id',
      'event_type',
      'priority',
      'payload',
      'timestamp',
      '_unique_id',
    ]);
    assert.equal(body.publisher_id, 'it-host');
    assert.equal(body.event_type, 'profiler.api');
    assert.equal(body.priority, 'INFO');
    assert.match(body.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
    assert.match(body._unique_id, /^[0-9a-f]{32}$/);
    assert.deepEqual(body.payload.project, 'nova');
    assert.deepEqual(body.payload.base_id, base);
  });

  it('getReport reads one trace back and drops the messages of other traces, as Python does', async () => {
    // the message left on the queue by the previous test belongs to another trace
    const base = randomUUID();
    const other = randomUUID();
    const wsgi = span(base, 'wsgi', base, '2024-05-14T09:30:12.345678', '2024-05-14T09:30:12.350001');
    const db = span(base, 'db', wsgi[0]!.trace_id, '2024-05-14T09:30:12.346000', '2024-05-14T09:30:12.347500');
    await driver.notifyBatch([wsgi[0]!, ...span(other, 'x', other, '2024-05-14T09:30:12.1', '2024-05-14T09:30:12.2')]);
    await driver.notifyBatch([db[0]!, db[1]!, wsgi[1]!]);
    const droppedBefore = driver.stats.dropped;
    const report = await driver.getReport(base);
    assert.equal(report.children.length, 1);
    const root = report.children[0]!;
    assert.equal(root.info.name, 'wsgi');
    assert.equal(root.info.project, 'nova');
    assert.equal(root.info.host, 'it-host');
    assert.equal(root.info.finished, 4);
    assert.equal(root.children[0]!.info.name, 'db');
    assert.deepEqual(report.stats, { wsgi: { count: 1, duration: 4 }, db: { count: 1, duration: 1 } });
    assert.equal(driver.stats.dropped - droppedBefore, 4, 'the other traces’ messages were consumed');
    assert.deepEqual((await driver.getReport(other)).children, [], 'and are gone');
  });

  it('a notifier for the bare scheme "messaging" sends a traced request that the driver reads back', async () => {
    const notifier = createNotifier('messaging', { ...options, service: 'compute' });
    setNotifier(notifier);
    const base = randomUUID();
    try {
      runWithProfiler(new Profiler('secret', base), () => withTrace('rpc', undefined, () => undefined));
      await notifier.flush();
      assert.equal(notifier.stats().written, 2);
    } finally {
      setNotifier(undefined);
      await notifier.shutdown();
    }
    const reader = await createDriver('messaging://', options);
    try {
      const report = await reader.reader!.getReport(base);
      assert.equal(report.children[0]!.info.name, 'rpc');
      assert.equal(report.children[0]!.info.service, 'compute');
      await assert.rejects(reader.reader!.listTraces(), NotSupportedError);
    } finally {
      await reader.close();
    }
  });
});
