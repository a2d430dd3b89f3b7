// The messaging:// driver's close() and the notifier's shutdown() settle in a process that has nothing else to do (real RabbitMQ).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { requireService } from '../helpers/services.js';
import { AMQP_URL, amqpProbe } from '../helpers/rabbitmq.js';
import { runTsModule, srcModule as src } from '../helpers/ts-child.js';

const gate = await requireService('RabbitMQ on 127.0.0.1:5672', amqpProbe(AMQP_URL));

const exchange = `osprofiler-test-${randomUUID()}`;
const topic = `profiler-test-${randomUUID()}`;
const options = JSON.stringify({ transportUrl: AMQP_URL, controlExchange: exchange, topic, idleTimeoutMs: 300 });

after(async () => {
  if (gate.skip) return;
  const raw = await amqplib.connect(AMQP_URL);
  const channel = await raw.createChannel();
  await channel.deleteQueue(`${topic}.info`).catch(() => {});
  await channel.deleteExchange(exchange).catch(() => {});
  await raw.close().catch(() => {});
});

describe('messaging:// driver lifecycle in a process with nothing else to do', { skip: gate.skip }, () => {
  it('close() after a getReport resolves (the process does not end with it pending)', () => {
    const result = runTsModule(
      `import { createMessagingDriver } from ${src('drivers/messaging/driver.ts')};
const driver = await createMessagingDriver('messaging://', ${options});
const report = await driver.getReport(${JSON.stringify(randomUUID())});
console.log('read', report.children.length);
await driver.close();
console.log('closed');
`,
      30_000,
    );
    assert.equal(result.stdout, 'read 0\nclosed\n', result.stderr);
    assert.equal(result.status, 0, result.stderr);
  });

  it('await shutdown() of a messaging notifier settles after its notifications were sent', () => {
    const base = randomUUID();
    const result = runTsModule(
      `import { createNotifier } from ${src('notifier/create.ts')};
import { setNotifier } from ${src('notifier/notifier.ts')};
import { shutdown, notifierStats } from ${src('notifier/lifecycle.ts')};
import { registerDriver } from ${src('drivers/driver.ts')};
import { createMessagingDriver } from ${src('drivers/messaging/driver.ts')};
registerDriver('messaging', createMessagingDriver);
const notifier = createNotifier('messaging://', { ...${options}, project: 'p', service: 's' });
setNotifier(notifier);
notifier({ name: 'x-start', base_id: ${JSON.stringify(base)}, trace_id: 't', parent_id: ${JSON.stringify(base)}, timestamp: '2024-01-01T00:00:00.000001', info: { host: 'h' } });
await shutdown();
console.log('settled', notifierStats().written);
`,
      30_000,
    );
    assert.equal(result.stdout, 'settled 1\n', result.stderr);
    assert.equal(result.status, 0, result.stderr);
  });
});
