// fixtures/storage/messaging.json: the bodies we publish equal Python's byte for byte; Python's messages read back into its report.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setClock } from '../../src/propagation/timestamp.js';
import { MessagingDriver } from '../../src/drivers/messaging/driver.js';
import {
  buildNotificationMessage,
  encodeMessageBody,
  readMessagePayload,
} from '../../src/drivers/messaging/message.js';
import { storedRecord } from '../../src/drivers/records.js';
import { setUuidGenerator } from '../../src/core/ids.js';
import type { Notification } from '../../src/core/payload.js';
import { FakeAmqpBroker } from '../helpers/amqp-fake.js';
import { loadFixture } from '../helpers/fixtures.js';

const fixture = loadFixture('storage/messaging.json');
const published: any[] = fixture.published;
const BASE = 'c0ffee00-0000-4000-8000-000000000001';

/** The notification as the profiler sent it: the stored payload without project/service. */
function original(payload: Record<string, unknown>): Notification {
  const { project: _project, service: _service, ...rest } = payload;
  return rest as Notification;
}

function contextOf(message: Record<string, unknown>): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) {
    if (key.startsWith('_context_')) context[key.slice('_context_'.length)] = value;
  }
  return context;
}

const driverOptions = {
  project: 'nova',
  service: 'api',
  host: 'ctl-01',
  messageContext: contextOf(published[0].message),
  idleTimeoutMs: 500, // why: long enough that a loaded CI machine delivers every queued message first
};

afterEach(() => {
  setUuidGenerator(undefined);
  setClock(undefined);
});

describe('messaging.json: what we publish', () => {
  for (const [i, entry] of published.entries()) {
    it(`message ${i} (${entry.message.payload.name}) has Python's dict and body, byte for byte`, () => {
      const record = storedRecord(original(entry.message.payload), { project: 'nova', service: 'api' });
      const message = buildNotificationMessage(record, {
        publisherId: 'ctl-01',
        context: contextOf(entry.message),
        messageId: entry.message.message_id,
        uniqueId: entry.message._unique_id,
        timestamp: entry.message.timestamp,
      });
      assert.deepEqual(message, entry.message);
      assert.deepEqual(Object.keys(message), Object.keys(entry.message));
      assert.equal(encodeMessageBody(message).toString('utf8'), entry.kombu_publish.body);
    });
  }

  it('the driver declares Python’s exchange and queue and publishes the same bodies with the same properties', async () => {
    const ids = published.flatMap((entry) => [entry.message.message_id, uuidFromHex(entry.message._unique_id)]);
    setUuidGenerator(() => ids.shift()!);
    setClock(() => '2024-05-14T09:30:12.400000');
    const broker = new FakeAmqpBroker();
    const driver = new MessagingDriver(broker.connect, driverOptions);
    await driver.notifyBatch(published.map((entry) => original(entry.message.payload)));
    await driver.close();

    const exchange = published[0].exchange;
    assert.deepEqual(broker.calls.slice(0, 4), [
      ['connect', 'amqp://guest:guest@127.0.0.1:5672/'],
      ['assertExchange', exchange.name, exchange.type, { durable: exchange.durable, autoDelete: exchange.auto_delete }],
      ['assertQueue', published[0].default_queue_declared, { durable: false, autoDelete: false }],
      ['bindQueue', published[0].default_queue_declared, exchange.name, published[0].routing_key],
    ]);
    assert.equal(broker.published.length, published.length);
    for (const [i, sent] of broker.published.entries()) {
      const expected = published[i];
      assert.equal(sent.exchange, expected.exchange.name);
      assert.equal(sent.routingKey, expected.routing_key);
      assert.equal(sent.content.toString('utf8'), expected.kombu_publish.body);
      assert.equal(sent.options.contentType, expected.kombu_publish.content_type);
      assert.equal(sent.options.contentEncoding, expected.kombu_publish.content_encoding);
      assert.equal(sent.options.expiration, undefined);
      assert.equal(sent.options.mandatory, undefined);
    }
  });

  it('a message timestamp drops a zero fraction, as str(datetime) does', () => {
    setClock(() => '2024-05-14T09:30:12.000000');
    const message = buildNotificationMessage(storedRecord(original(published[0].message.payload), {}), {
      publisherId: 'h',
    });
    assert.equal(message.timestamp, '2024-05-14 09:30:12');
    assert.equal(message.event_type, 'profiler.None', 'Python formats an unset service as None');
  });
});

describe('messaging.json: reading Python’s messages', () => {
  it('getReport over Python’s bodies gives Python’s report, and drops another trace’s message', async () => {
    const broker = new FakeAmqpBroker();
    const queue = published[0].default_queue_declared;
    broker.enqueue(queue, published[0].kombu_publish.body);
    broker.enqueue(queue, published[1].kombu_publish.body.replaceAll(BASE, 'c0ffee00-0000-4000-8000-0000000000ff'));
    for (const entry of published.slice(1)) broker.enqueue(queue, entry.kombu_publish.body);
    const driver = new MessagingDriver(broker.connect, driverOptions);
    const report = await driver.getReport(BASE);
    await driver.close();
    assert.deepEqual(report, fixture['get_report_3.4.3_after_reading_back']);
    assert.equal(driver.stats.dropped, 1);
    assert.deepEqual(broker.queues.get(queue), [], 'every message was consumed');
  });

  it('reads the messagingv2 envelope too', () => {
    const envelope = JSON.stringify(fixture.for_reference_v2_envelope_of_first_message.envelope);
    assert.deepEqual(readMessagePayload(Buffer.from(envelope)), published[0].message.payload);
    assert.deepEqual(readMessagePayload(Buffer.from(published[0].kombu_publish.body)), published[0].message.payload);
  });
});

/** `_unique_id` is uuid4().hex: the generator hands out the hyphenated form. */
function uuidFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
