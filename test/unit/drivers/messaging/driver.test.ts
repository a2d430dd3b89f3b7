import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { currentProfiler } from '../../../../src/core/context.js';
import { runWithProfiler } from '../../../../src/core/current.js';
import {
  createMessagingDriver,
  loadAmqplibConnect,
  MessagingDriver,
} from '../../../../src/drivers/messaging/driver.js';
import { amqpUrlFromTransportUrl } from '../../../../src/drivers/messaging/message.js';
import {
  BadConnectionStringError,
  DriverMissingError,
  DriverUnavailableError,
  NotSupportedError,
} from '../../../../src/errors.js';
import type { Notification } from '../../../../src/core/payload.js';
import { Profiler } from '../../../../src/core/profiler.js';
import { FakeAmqpBroker } from '../../../helpers/amqp-fake.js';

const BASE = 'c0ffee00-0000-4000-8000-000000000001';

function note(name: string, info: Record<string, unknown> = {}): Notification {
  return {
    name,
    base_id: BASE,
    trace_id: '11111111-1111-4111-8111-111111111111',
    parent_id: BASE,
    timestamp: '2024-05-14T09:30:12.345678',
    info: { ...info, host: 'h' },
  };
}

describe('amqpUrlFromTransportUrl()', () => {
  for (const [given, expected] of [
    ['amqp://guest:guest@127.0.0.1:5672/', 'amqp://guest:guest@127.0.0.1:5672/'],
    ['amqps://u:p@mq.example:5671/vh', 'amqps://u:p@mq.example:5671/vh'],
    ['rabbit://u:p@mq1:5672/', 'amqp://u:p@mq1:5672/'],
    ['rabbit://u:p@mq1:5672,u:p@mq2:5672/nova', 'amqp://u:p@mq1:5672/nova'],
    ['rabbit://u:p@mq1:5672/?ssl=1', 'amqps://u:p@mq1:5672/'],
    ['rabbit://u:p@mq1:5672/vh?ssl=true&heartbeat=30', 'amqps://u:p@mq1:5672/vh?heartbeat=30'],
    ['rabbit://mq1', 'amqp://mq1/'],
  ]) {
    it(`maps ${given} to ${expected}`, () => {
      assert.equal(amqpUrlFromTransportUrl(given!), expected);
    });
  }

  it('refuses other transports, without printing the password', () => {
    assert.throws(
      () => amqpUrlFromTransportUrl('kafka://u:secret@k:9092/'),
      (e: unknown) => e instanceof BadConnectionStringError && !String((e as Error).message).includes('secret'),
    );
    assert.throws(() => amqpUrlFromTransportUrl('not a url'), BadConnectionStringError);
  });
});

describe('MessagingDriver', () => {
  it('uses amqp://guest:guest@127.0.0.1:5672/ by default and names it with the password hidden', async () => {
    const broker = new FakeAmqpBroker();
    const driver = await createMessagingDriver('messaging://ignored', {}, broker.connect);
    assert.equal(
      driver.describe(),
      'RabbitMQ amqp://guest:***@127.0.0.1:5672/ (exchange openstack, queue profiler.info)',
    );
    await driver.notifyBatch([note('a-start')]);
    assert.deepEqual(broker.calls[0], ['connect', 'amqp://guest:guest@127.0.0.1:5672/']);
    await driver.close();
  });

  it('takes the broker from transportUrl (the CLI’s --transport-url) and the exchange/topic/durability options', async () => {
    const broker = new FakeAmqpBroker();
    const driver = new MessagingDriver(broker.connect, {
      transportUrl: 'rabbit://u:p@mq:5672/nova',
      controlExchange: 'nova',
      topic: 'traces',
      durableQueues: true,
    });
    await driver.notifyBatch([note('a-start')]);
    assert.deepEqual(broker.calls.slice(0, 4), [
      ['connect', 'amqp://u:p@mq:5672/nova'],
      ['assertExchange', 'nova', 'topic', { durable: true, autoDelete: false }],
      ['assertQueue', 'traces.info', { durable: true, autoDelete: false }],
      ['bindQueue', 'traces.info', 'nova', 'traces.info'],
    ]);
    assert.equal(broker.published[0]!.routingKey, 'traces.info');
    await driver.close();
  });

  it('adds project and service, and sends with no trace context active', async () => {
    const broker = new FakeAmqpBroker();
    const seen: unknown[] = [];
    const driver = new MessagingDriver(
      async (url) => {
        seen.push(currentProfiler());
        return broker.connect(url);
      },
      { project: 'nova', service: 'api', host: 'ctl-01' },
    );
    await runWithProfiler(new Profiler('k'), () => driver.notifyBatch([note('a-start')]));
    assert.deepEqual(seen, [undefined]);
    const body = JSON.parse(broker.published[0]!.content.toString('utf8'));
    assert.equal(body.publisher_id, 'ctl-01');
    assert.equal(body.event_type, 'profiler.api');
    assert.equal(body.payload.project, 'nova');
    assert.equal(body.payload.service, 'api');
    await driver.close();
  });

  it('leaves out (and counts) a notification that cannot be encoded, and sends the rest', async () => {
    const broker = new FakeAmqpBroker();
    const driver = new MessagingDriver(broker.connect, {});
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await driver.notifyBatch([note('a-start', { circular }), note('b-start')]);
    assert.equal(driver.stats.unwritable, 1);
    assert.equal(broker.published.length, 1);
    await driver.close();
  });

  it('fails a batch with DriverUnavailableError while the broker is down, backing off before reconnecting', async () => {
    const broker = new FakeAmqpBroker();
    broker.connectError = new Error('connect ECONNREFUSED 127.0.0.1:5672');
    const driver = new MessagingDriver(broker.connect, { transportUrl: 'amqp://u:secret@127.0.0.1:5672/' });
    await assert.rejects(driver.notifyBatch([note('a-start')]), (e: unknown) => {
      assert.ok(e instanceof DriverUnavailableError);
      assert.match((e as Error).message, /ECONNREFUSED/);
      assert.doesNotMatch((e as Error).message, /secret/);
      return true;
    });
    await assert.rejects(driver.notifyBatch([note('a-start')]), /next attempt in/);
    assert.equal(broker.connects, 1, 'no new attempt during the backoff');
    broker.connectError = undefined;
    await new Promise((r) => setTimeout(r, 120));
    await driver.notifyBatch([note('a-start')]);
    assert.equal(broker.published.length, 1);
    await driver.close();
  });

  it('fails a batch the broker does not confirm, and opens a new channel for the next one', async () => {
    const broker = new FakeAmqpBroker();
    const driver = new MessagingDriver(broker.connect, {});
    broker.confirmError = new Error('message nacked');
    await assert.rejects(driver.notifyBatch([note('a-start')]), DriverUnavailableError);
    broker.confirmError = undefined;
    await driver.notifyBatch([note('b-start')]);
    assert.equal(broker.calls.filter((c) => c[0] === 'assertExchange').length, 2);
    await driver.close();
  });

  it('reconnects after the connection closes', async () => {
    const broker = new FakeAmqpBroker();
    const driver = new MessagingDriver(broker.connect, {});
    await driver.notifyBatch([note('a-start')]);
    broker.connections[0]!.emit('close');
    await driver.notifyBatch([note('b-start')]);
    assert.equal(broker.connects, 2);
    await driver.close();
    assert.equal(broker.connections[1]!.closed, true);
  });

  it('getReport ends after the idle timeout when nothing of the trace arrives', async () => {
    const broker = new FakeAmqpBroker();
    const driver = new MessagingDriver(broker.connect, { idleTimeoutMs: 20 });
    const started = Date.now();
    const report = await driver.getReport(BASE);
    assert.deepEqual(report.children, []);
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual(
      broker.calls.filter((c) => c[0] === 'cancel'),
      [['cancel', 'ctag-1']],
    );
    await driver.close();
  });

  it('cannot list traces or error traces (Python has no list either)', async () => {
    const driver = new MessagingDriver(new FakeAmqpBroker().connect, {});
    await assert.rejects(driver.listTraces(), NotSupportedError);
    await assert.rejects(driver.listErrorTraces(), NotSupportedError);
  });

  it('names the amqplib package when it is not installed', async () => {
    const missing = Object.assign(new Error("Cannot find package 'amqplib'"), { code: 'ERR_MODULE_NOT_FOUND' });
    await assert.rejects(
      loadAmqplibConnect(5000, () => Promise.reject(missing)),
      (e: unknown) => e instanceof DriverMissingError && /npm install amqplib/.test((e as Error).message),
    );
  });

  it('loads the installed amqplib', async () => {
    assert.equal(typeof (await loadAmqplibConnect()), 'function');
  });

  it('is closed for good after close()', async () => {
    const broker = new FakeAmqpBroker();
    const driver = new MessagingDriver(broker.connect, {});
    await driver.close();
    await driver.close();
    await assert.rejects(driver.notifyBatch([note('a-start')]), /closed/);
  });
});
