// The built `osprofiler collect` as operators run it: usage, refusals, broker-side disconnects, SIGINT/SIGTERM (real RabbitMQ).
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMessagingDriver } from '../../src/drivers/messaging/driver.js';
import { createSqliteDriver } from '../../src/drivers/sqlite/driver.js';
import type { Notification } from '../../src/core/payload.js';
import { ensureBuilt } from '../helpers/built-bin.js';
import { runBin, startBin, startCollector, type BinResult } from '../helpers/bin-process.js';
import { requireService } from '../helpers/services.js';
import { amqpProbe } from '../helpers/rabbitmq.js';
import { createTestVhost, vhostSkip, type TestVhost } from '../helpers/rabbitmq-vhost.js';

const work = mkdtempSync(join(tmpdir(), 'osp-collect-e2e-'));
after(() => rmSync(work, { recursive: true, force: true }));
before(ensureBuilt);

const run = (args: string[]): Promise<BinResult> =>
  runBin(args, { env: { PATH: process.env.PATH ?? '', HOME: join(work, 'home') } });

describe('osprofiler collect: usage', () => {
  it('--help describes the command and exits 0', async () => {
    const r = await run(['collect', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: osprofiler collect /);
    assert.match(r.stdout, /--stats-interval SECONDS/);
  });

  it('bad numbers are usage errors (exit 2)', async () => {
    for (const argv of [
      ['--batch-size', '0'],
      ['--stats-interval', 'soon'],
      ['--prefetch', '70000'],
    ]) {
      const r = await run(['collect', ...argv]);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, new RegExp(`argument ${argv[0]}: invalid`));
    }
  });

  it('refuses messaging:// as the store (it is the queue it reads) with one line, exit 1', async () => {
    const r = await run(['collect', '--connection-string', 'messaging://']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^osprofiler: collect reads the messaging queue; give it a store to write to/);
  });
});

const rabbit = await requireService('RabbitMQ on 127.0.0.1:5672', amqpProbe('amqp://guest:guest@127.0.0.1:5672/'));

describe('osprofiler collect: a running collector', { skip: rabbit.skip || vhostSkip }, () => {
  let vhost: TestVhost;
  before(async () => {
    vhost = await createTestVhost();
  });
  after(async () => {
    await vhost?.delete();
  });

  async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await Promise.resolve(check()).catch(() => false))) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function sendTrace(base: string): Promise<void> {
    const driver = await createMessagingDriver('messaging://', { transportUrl: vhost.rabbitUrl, service: 'api' });
    const trace = randomUUID();
    const common = { base_id: base, trace_id: trace, parent_id: base };
    const notes: Notification[] = [
      { name: 'rpc-start', ...common, timestamp: '2024-05-14T09:30:12.000100', info: { host: 'h' } },
      { name: 'rpc-stop', ...common, timestamp: '2024-05-14T09:30:12.002100', info: { host: 'h' } },
    ];
    await driver.notifyBatch(notes);
    await driver.close();
  }

  it('reconnects after RabbitMQ closes its connection (rabbitmqctl close_all_connections) and stops on SIGINT with exit 0', async () => {
    const db = join(work, `${randomUUID()}.db`);
    const c = startCollector(vhost.rabbitUrl, db, 0);
    try {
      await until('consuming', () => c.stderr().includes('consuming'));
      const first = randomUUID();
      await sendTrace(first);
      await until('the store file', () => existsSync(db));
      const reader = await createSqliteDriver(`sqlite:///${db}`, { fileMustExist: true });
      try {
        await until('the first trace', async () => (await reader.getReport(first)).children.length === 1);
        await vhost.closeConnections();
        await until('the loss noticed', () => c.stderr().includes('session lost'));
        const second = randomUUID();
        await sendTrace(second);
        await until(
          'the second trace after reconnecting',
          async () => (await reader.getReport(second)).children.length === 1,
        );
      } finally {
        await reader.close();
      }
      c.child.kill('SIGINT');
      assert.equal(await c.exited, 0, c.stderr());
      assert.match(c.stderr(), /SIGINT: stopping/);
      assert.match(c.stderr(), /stopped: received=4 stored=4 acked=4 bad=0 .* reconnects=1 pending=0/);
    } finally {
      c.child.kill('SIGKILL');
    }
  });

  it('SIGTERM while RabbitMQ (from OSPROFILER_TRANSPORT_URL) is unreachable still exits 0 promptly', async () => {
    // the broker from the environment (keeps a password out of the process list)
    const c = startBin(['collect', '--connection-string', `sqlite:///${join(work, 'x.db')}`], {
      ...process.env,
      OSPROFILER_TRANSPORT_URL: 'amqp://guest:secret@127.0.0.1:1/',
    });
    try {
      await until('a refused connection', () => c.stderr().includes('unavailable'));
      c.child.kill('SIGTERM');
      assert.equal(await c.exited, 0, c.stderr());
      assert.match(c.stderr(), /stopped: received=0 /);
      assert.match(c.stderr(), /^osprofiler collect: RabbitMQ amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1\/ /);
      assert.ok(!c.stderr().includes('secret'), 'the password is never printed');
    } finally {
      c.child.kill('SIGKILL');
    }
  });
});
