// Python OSProfiler's messaging:// driver (oslo.messaging, rabbit transport) sends; our CLI reads it over messaging:// and `osprofiler collect` stores it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runWithProfiler } from '../../src/core/current.js';
import { Profiler } from '../../src/core/profiler.js';
import { withTrace } from '../../src/core/trace.js';
import { registerDriver } from '../../src/drivers/driver.js';
import { createMessagingDriver } from '../../src/drivers/messaging/driver.js';
import { createSqliteDriver } from '../../src/drivers/sqlite/driver.js';
import { createNotifier } from '../../src/notifier/create.js';
import { setNotifier } from '../../src/notifier/notifier.js';
import type { Notification } from '../../src/core/payload.js';
import type { Report } from '../../src/report/types.js';
import { bin, ensureBuilt } from '../helpers/built-bin.js';
import { startCollector } from '../helpers/bin-process.js';
import { requireService } from '../helpers/services.js';
import { python, pythonLacks } from '../helpers/python-peer.js';
import { amqpProbe } from '../helpers/rabbitmq.js';
import { createTestVhost, vhostSkip, type TestVhost } from '../helpers/rabbitmq-vhost.js';

const run = promisify(execFile);
const peer = fileURLToPath(new URL('./python/messaging_peer.py', import.meta.url));
const rabbit = await requireService('RabbitMQ on 127.0.0.1:5672', amqpProbe('amqp://guest:guest@127.0.0.1:5672/'));
const skip = rabbit.skip || vhostSkip || (await pythonLacks('oslo_messaging, osprofiler', 'python3-oslo.messaging'));

registerDriver('messaging', createMessagingDriver);

/** Python's messaging driver sends a wsgi > db trace; returns the notifications as it sent them. */
async function pythonSends(url: string, base: string): Promise<Notification[]> {
  const { stdout } = await run(python!, [peer, 'send', url, base], { timeout: 60_000 });
  return JSON.parse(stdout) as Notification[];
}

/** The report Python builds from these notifications (messaging, or its SQL driver's row form). */
function pythonReport(notifications: Notification[], sql = false): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = execFile(python!, [peer, 'report', ...(sql ? ['--sql'] : [])], { timeout: 60_000 }, (error, out) =>
      error ? reject(error) : resolve(JSON.parse(out) as Report),
    );
    child.stdin!.end(JSON.stringify(notifications));
  });
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

async function waitFor<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await get().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Python’s messaging:// driver with our CLI and collector (real RabbitMQ)', { skip }, () => {
  let vhost: TestVhost;
  const dir = mkdtempSync(join(tmpdir(), 'osp-msg-interop-'));

  before(async () => {
    ensureBuilt();
    vhost = await createTestVhost();
  });

  after(async () => {
    await vhost?.delete();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trace show over messaging:// prints a trace Python sent, with its 2 spans, as Python’s get_report builds it; exit 0', async () => {
    const base = randomUUID();
    const sent = await pythonSends(vhost.rabbitUrl, base);
    assert.equal(sent.length, 4);
    const result = await runCli([
      'trace',
      'show',
      base,
      '--connection-string',
      'messaging://',
      '--transport-url',
      vhost.rabbitUrl,
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as Report;
    assert.equal(report.children.length, 1);
    assert.equal(report.children[0]!.info.name, 'wsgi');
    assert.equal(report.children[0]!.children[0]!.info.name, 'db');
    assert.deepEqual(Object.keys(report.stats), ['wsgi', 'db']);
    assert.deepEqual(report, await pythonReport(sent));
  });

  it('trace show over messaging:// of an unknown id prints Python’s sentence and exits 1', async () => {
    const unknown = randomUUID();
    const result = await runCli([
      'trace',
      'show',
      unknown,
      '--connection-string',
      'messaging://',
      '--transport-url',
      vhost.rabbitUrl,
      '--idle-timeout',
      '0.3',
      '--json',
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(
      result.stdout,
      `Trace with UUID ${unknown} not found. Please check the HMAC key used in the command.\n`,
    );
  });

  it('osprofiler collect stores a Python trace and a Node trace in its SQLite store within seconds, as Python reads them, and exits 0 soon after SIGTERM', async () => {
    const db = join(dir, 'collected.db');
    const collector = startCollector(vhost.rabbitUrl, db, 1);
    try {
      await waitFor('the collector to consume', async () =>
        collector.stderr().includes('consuming') ? true : undefined,
      );

      const pyBase = randomUUID();
      const pySent = await pythonSends(vhost.rabbitUrl, pyBase);

      const nodeBase = randomUUID();
      const nodeSent: Notification[] = [];
      const notifier = createNotifier('messaging://', {
        transportUrl: vhost.rabbitUrl,
        project: 'interop',
        service: 'node-api',
        host: 'node-host',
      });
      const record = (n: Notification): void => {
        nodeSent.push({ ...n, project: 'interop', service: 'node-api' });
        notifier(n);
      };
      setNotifier(record);
      try {
        runWithProfiler(new Profiler('SECRET_KEY', nodeBase), () =>
          withTrace('wsgi', { request: { path: '/node', method: 'GET' } }, () =>
            withTrace('db', { db: { statement: 'SELECT 1', params: {} } }, () => undefined),
          ),
        );
      } finally {
        setNotifier(undefined);
        await notifier.shutdown();
      }
      assert.equal(nodeSent.length, 4);

      await waitFor('the SQLite store to exist', async () => (existsSync(db) ? true : undefined));
      const reader = await createSqliteDriver(`sqlite:///${db}`, { fileMustExist: true });
      try {
        const pyReport = await waitFor('the Python trace stored', async () => {
          const r = await reader.getReport(pyBase);
          return r.children[0]?.children.length === 1 ? r : undefined;
        });
        const nodeReport = await waitFor('the Node trace stored', async () => {
          const r = await reader.getReport(nodeBase);
          return r.children[0]?.children.length === 1 ? r : undefined;
        });
        assert.deepEqual(pyReport, await pythonReport(pySent, true));
        assert.deepEqual(nodeReport, await pythonReport(nodeSent, true));
        assert.equal(nodeReport.children[0]!.info.service, 'node-api');
        assert.equal(pyReport.children[0]!.info.service, 'py-api');
      } finally {
        await reader.close();
      }

      const signalled = Date.now();
      collector.child.kill('SIGTERM');
      const code = await collector.exited;
      const tookMs = Date.now() - signalled;
      assert.equal(code, 0, collector.stderr());
      assert.ok(tookMs < 5000, `exited ${tookMs} ms after SIGTERM`);
      assert.match(collector.stderr(), /SIGTERM: stopping/);
      assert.match(collector.stderr(), /stopped: received=8 stored=8 acked=8 bad=0 /);
      assert.match(collector.stderr(), /osprofiler collect: received=\d+ stored=\d+/, 'periodic counters');
    } finally {
      collector.child.kill('SIGKILL');
    }
  });
});
