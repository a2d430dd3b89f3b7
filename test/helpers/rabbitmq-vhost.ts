// A RabbitMQ virtual host of a test's own (rabbitmqctl), so Python's fixed queue name profiler.info is not shared with other runs.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { optionalBinary } from './services.js';

const run = promisify(execFile);
const ctl = optionalBinary(
  'rabbitmqctl',
  'it comes with rabbitmq-server; the tests manage a vhost of their own with it',
);

/** Skip reason when rabbitmqctl is not installed (false when it is). */
export const vhostSkip: string | false = ctl.skip;

/** A vhost and the transport URLs that reach it. */
export interface TestVhost {
  name: string;
  /** `rabbit://guest:guest@127.0.0.1:5672/<vhost>` (oslo.messaging's form). */
  rabbitUrl: string;
  /** `amqp://guest:guest@127.0.0.1:5672/<vhost>` (amqplib's form). */
  amqpUrl: string;
  /** Closes every client connection of this vhost from the broker's side. */
  closeConnections(): Promise<void>;
  delete(): Promise<void>;
}

/** Creates a fresh vhost that guest may use fully. */
export async function createTestVhost(): Promise<TestVhost> {
  const name = `osprofiler-test-${randomUUID()}`;
  const path = ctl.path!;
  await run(path, ['-q', 'add_vhost', name], { timeout: 60_000 });
  await run(path, ['-q', 'set_permissions', '-p', name, 'guest', '.*', '.*', '.*'], { timeout: 60_000 });
  return {
    name,
    rabbitUrl: `rabbit://guest:guest@127.0.0.1:5672/${name}`,
    amqpUrl: `amqp://guest:guest@127.0.0.1:5672/${name}`,
    async closeConnections() {
      await run(path, ['-q', 'close_all_connections', '--vhost', name, 'osprofiler test'], { timeout: 60_000 });
    },
    async delete() {
      await run(path, ['-q', 'delete_vhost', name], { timeout: 60_000 }).catch(() => {});
    },
  };
}
