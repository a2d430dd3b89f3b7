// RedisDriver against the real Redis on 127.0.0.1:6379 (db 5, cleaned before and after), plus a throwaway redis-server.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { currentProfiler } from '../../src/core/context.js';
import { runWithProfiler } from '../../src/core/current.js';
import { registerDriver } from '../../src/drivers/driver.js';
import {
  createRedisDriver,
  createRedisSentinelDriver,
  RedisDriver,
  type RedisClientLike,
  type RedisPipelineLike,
} from '../../src/drivers/redis/driver.js';
import { buildRedisOptions, parseRedisUrl } from '../../src/drivers/redis/url.js';
import { DriverUnavailableError } from '../../src/errors.js';
import { createNotifier } from '../../src/notifier/create.js';
import type { Notification } from '../../src/core/payload.js';
import { Profiler } from '../../src/core/profiler.js';
import { buildReport } from '../../src/report/build.js';
import { onChannelStart } from '../helpers/capture.js';
import { cleanOsprofilerKeys, closeAndClean, probeClient, redisProbe } from '../helpers/redis.js';
import { freePort, requireService, servicesRequired } from '../helpers/services.js';
import { callEachDriverMethod } from '../helpers/driver-calls.js';
import { traceThroughNotifier } from '../helpers/notifier-roundtrip.js';
import { runTsModule, srcModule } from '../helpers/ts-child.js';

const DB = 5;
const REDIS_URL = `redis://127.0.0.1:6379/${DB}`;
const gate = await requireService('Redis on 127.0.0.1:6379', redisProbe(6379));

registerDriver('redis', createRedisDriver);
registerDriver('redissentinel', createRedisSentinelDriver);

let seq = 0;
function note(
  baseId: string,
  name: string,
  extra: Partial<Notification> = {},
  info: Record<string, unknown> = {},
): Notification {
  seq++;
  const us = String(seq).padStart(6, '0');
  return {
    name,
    base_id: baseId,
    trace_id: extra.trace_id ?? randomUUID(),
    parent_id: extra.parent_id ?? baseId,
    timestamp: extra.timestamp ?? `2024-05-14T09:30:00.${us}`,
    info: { ...info, host: 'it-host' },
  };
}

/** A start/stop pair. */
function span(
  baseId: string,
  name: string,
  start: string,
  stop: string,
  stopInfo: Record<string, unknown> = {},
): Notification[] {
  const traceId = randomUUID();
  return [
    note(baseId, `${name}-start`, { trace_id: traceId, timestamp: start }),
    note(baseId, `${name}-stop`, { trace_id: traceId, timestamp: stop }, stopInfo),
  ];
}

describe('RedisDriver with a real Redis', { skip: gate.skip }, () => {
  let raw: Redis;
  let driver: RedisDriver;

  before(async () => {
    raw = new Redis({ host: '127.0.0.1', port: 6379, db: DB });
    await cleanOsprofilerKeys(raw);
    driver = await createRedisDriver(REDIS_URL, { project: 'nova', service: 'api', filterErrorTrace: true });
    await driver.listErrorTraces(); // connected before the tests start
  });
  after(() => closeAndClean(driver, raw));
  beforeEach(() => cleanOsprofilerKeys(raw));

  it('pushes each notification with project and service onto osprofiler_opt:<base_id>, newest first, without TTL', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const batch = [...span(a, 'wsgi', '2024-05-14T09:30:00.000001', '2024-05-14T09:30:00.000004'), note(b, 'db-start')];
    await driver.notifyBatch(batch);
    const stored = (await raw.lrange(`osprofiler_opt:${a}`, 0, -1)).map((s) => JSON.parse(s));
    assert.deepEqual(
      stored,
      [...batch.slice(0, 2)].reverse().map((n) => ({ ...n, project: 'nova', service: 'api' })),
    );
    assert.deepEqual(Object.keys(stored[0]), [
      'name',
      'base_id',
      'trace_id',
      'parent_id',
      'timestamp',
      'info',
      'project',
      'service',
    ]);
    assert.equal(await raw.llen(`osprofiler_opt:${b}`), 1);
    assert.equal(await raw.ttl(`osprofiler_opt:${a}`), -1);
  });

  it('writes a batch as one pipeline with one LPUSH per trace', async () => {
    const client = new Redis(buildRedisOptions(parseRedisUrl(REDIS_URL))) as unknown as RedisClientLike;
    const pipelines: RedisPipelineLike[] = [];
    const pipeline = client.pipeline.bind(client);
    (client as { pipeline: () => RedisPipelineLike }).pipeline = () => {
      const p = pipeline();
      pipelines.push(p);
      return p;
    };
    const spied = new RedisDriver(client, { project: 'nova', service: 'api' });
    const seen: string[] = [];
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    let unsubscribe = (): void => {};
    try {
      await spied.notifyBatch([]);
      unsubscribe = onChannelStart('ioredis:command', (m) => seen.push(String((m as { command?: string }).command)));
      await spied.notifyBatch(
        ids.flatMap((id) => span(id, 'x', '2024-05-14T09:30:00.000001', '2024-05-14T09:30:00.000002')),
      );
    } finally {
      unsubscribe();
      await spied.close();
    }
    assert.equal(pipelines.length, 1);
    // (the connection's own handshake — SELECT, CLIENT SETNAME/SETINFO, INFO — aside)
    const handshake = new Set(['select', 'client', 'info']);
    assert.deepEqual(
      seen.map((c) => c.toLowerCase()).filter((c) => !handshake.has(c)),
      ['lpush', 'lpush', 'lpush'],
    );
    for (const id of ids) assert.equal(await raw.llen(`osprofiler_opt:${id}`), 2);
  });

  it('marks error traces only when filterErrorTrace is on and info.etype is not null, the last error winning', async () => {
    const failing = randomUUID();
    const fine = randomUUID();
    await driver.notifyBatch([
      ...span(failing, 'rpc', '2024-05-14T09:31:00.000100', '2024-05-14T09:31:00.000200', {
        etype: 'KeyError',
        message: 'x',
      }),
      ...span(failing, 'db', '2024-05-14T09:31:00.000300', '2024-05-14T09:31:00.000400', {
        etype: 'ValueError',
        message: 'y',
      }),
      ...span(fine, 'rpc', '2024-05-14T09:31:00.000100', '2024-05-14T09:31:00.000200', { etype: null }),
    ]);
    assert.equal(
      await raw.get(`osprofiler_error:${failing}`),
      `{"base_id": "${failing}", "timestamp": "2024-05-14T09:31:00.000400"}`,
    );
    assert.equal(await raw.exists(`osprofiler_error:${fine}`), 0);
    assert.deepEqual(await driver.listErrorTraces(), [{ base_id: failing, timestamp: '2024-05-14T09:31:00.000400' }]);

    const quiet = await createRedisDriver(REDIS_URL, { project: 'nova', service: 'api' });
    try {
      const other = randomUUID();
      await quiet.notifyBatch(
        span(other, 'rpc', '2024-05-14T09:31:00.000100', '2024-05-14T09:31:00.000200', { etype: 'E' }),
      );
      assert.equal(await raw.exists(`osprofiler_error:${other}`), 0);
    } finally {
      await quiet.close();
    }
  });

  it('rebuilds the report from the list, exactly as buildReport does in LRANGE order', async () => {
    const base = randomUUID();
    const root = span(base, 'wsgi', '2024-05-14T09:30:00.000001', '2024-05-14T09:30:00.009000');
    const child = span(base, 'db', '2024-05-14T09:30:00.002000', '2024-05-14T09:30:00.004000');
    for (const n of child) n.parent_id = root[0]!.trace_id;
    await driver.notifyBatch([root[0]!, ...child]);
    await driver.notifyBatch([root[1]!]);
    const stored = [root[1]!, ...[root[0]!, ...child].reverse()].map((n) => ({
      ...n,
      project: 'nova',
      service: 'api',
    }));
    const report = await driver.getReport(base);
    assert.equal(JSON.stringify(report), JSON.stringify(buildReport(stored)));
    assert.equal(report.children[0]!.children[0]!.info.name, 'db');
  });

  it('gives an empty report for an unknown trace', async () => {
    const report = await driver.getReport(randomUUID());
    assert.deepEqual(report.children, []);
    assert.deepEqual(report.stats, {});
  });

  it('reads a very long list completely (paged reads)', async () => {
    const base = randomUUID();
    const spans = Array.from({ length: 12_500 }, (_, i) => {
      const t = `2024-05-14T09:30:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}000`;
      return span(base, 'op', t, t);
    }).flat();
    for (let i = 0; i < spans.length; i += 1000) await driver.notifyBatch(spans.slice(i, i + 1000));
    const report = await driver.getReport(base);
    assert.equal(report.children.length, 12_500);
    assert.deepEqual(report.stats, { op: { count: 12_500, duration: 0 } });
  });

  it('lists each trace by its earliest record, single-record traces included, oldest first', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const c = randomUUID();
    // a's start is written after a later record of the same trace (another service flushed first)
    await driver.notifyBatch([note(a, 'compute-start', { timestamp: '2024-05-14T09:30:00.500000' })]);
    await driver.notifyBatch([
      note(a, 'wsgi-start', { timestamp: '2024-05-14T09:30:00.100000' }),
      note(a, 'wsgi-stop', { timestamp: '2024-05-14T09:30:00.900000' }),
      note(b, 'only-start', { timestamp: '2024-05-14T09:29:00.000000' }),
      note(c, 'x-start', { timestamp: '2024-05-14T09:31:00.000000' }),
    ]);
    assert.deepEqual(await driver.listTraces(), [
      { base_id: b, timestamp: '2024-05-14T09:29:00.000000' },
      { base_id: a, timestamp: '2024-05-14T09:30:00.100000' },
      { base_id: c, timestamp: '2024-05-14T09:31:00.000000' },
    ]);
    assert.deepEqual((await driver.listTraces(['base_id', 'name', 'service', 'missing']))[1], {
      base_id: a,
      name: 'wsgi-start',
      service: 'api',
    });
  });

  it('lists many traces through SCAN batches', async () => {
    const ids = Array.from({ length: 2300 }, () => randomUUID());
    for (let i = 0; i < ids.length; i += 500) {
      await driver.notifyBatch(ids.slice(i, i + 500).map((id) => note(id, 'a-start')));
    }
    const listed = await driver.listTraces();
    assert.equal(listed.length, ids.length);
    assert.deepEqual(new Set(listed.map((t) => t.base_id)), new Set(ids));
  });

  it('reads the legacy one-key-per-notification layout, alone and mixed with the list layout', async () => {
    const legacy = randomUUID();
    const mixed = randomUUID();
    const records = span(legacy, 'wsgi', '2024-05-14T09:30:12.345678', '2024-05-14T09:30:12.350001').map((n) => ({
      ...n,
      project: 'keystone',
      service: 'public',
    }));
    for (const r of records) await raw.set(`osprofiler:${legacy}_${r.trace_id}_${r.timestamp}`, JSON.stringify(r));
    const old = note(mixed, 'old-start', { timestamp: '2024-05-14T08:00:00.000000' });
    await raw.set(
      `osprofiler:${mixed}_${old.trace_id}_${old.timestamp}`,
      JSON.stringify({ ...old, project: 'p', service: 's' }),
    );
    await driver.notifyBatch([note(mixed, 'new-start', { timestamp: '2024-05-14T09:00:00.000000' })]);
    await raw.set(
      'osprofiler:not-a-legacy-key',
      JSON.stringify({ ...note(randomUUID(), 'odd-start', { timestamp: '2024-05-14T07:00:00.000000' }) }),
    );

    const report = await driver.getReport(legacy);
    assert.equal(JSON.stringify(report), JSON.stringify(buildReport(records)));
    assert.equal((await driver.getReport(mixed)).children.length, 2);
    const listed = await driver.listTraces(['base_id', 'timestamp', 'name']);
    assert.deepEqual(
      listed.map((t) => t.name),
      ['odd-start', 'old-start', 'wsgi-start'],
    );
    assert.deepEqual(listed[1], { base_id: mixed, timestamp: '2024-05-14T08:00:00.000000', name: 'old-start' });
  });

  it('skips records that are not JSON objects instead of failing', async () => {
    const base = randomUUID();
    await driver.notifyBatch(span(base, 'ok', '2024-05-14T09:30:00.000001', '2024-05-14T09:30:00.000002'));
    await raw.lpush(`osprofiler_opt:${base}`, 'not json', '[1,2]');
    await raw.set(`osprofiler_opt:${randomUUID()}`, 'a string, not a list');
    const before = driver.stats.skipped;
    assert.equal((await driver.getReport(base)).children.length, 1);
    assert.equal(driver.stats.skipped - before, 2);
    assert.equal((await driver.listTraces()).length, 1);
  });

  it('runs its commands outside the trace context, even when called inside one', async () => {
    const profilers: unknown[] = [];
    const unsubscribe = onChannelStart('ioredis:command', () => profilers.push(currentProfiler()));
    const profiler = new Profiler('key');
    try {
      // control: a plain ioredis call made inside the trace is seen with the profiler
      await runWithProfiler(profiler, () => raw.ping());
      assert.equal(profilers.pop(), profiler);
      const base = randomUUID();
      await runWithProfiler(profiler, () => callEachDriverMethod(driver, note(base, 'a-start')));
    } finally {
      unsubscribe();
    }
    assert.ok(profilers.length >= 4, `saw ${profilers.length} commands`);
    assert.ok(profilers.every((p) => p === undefined));
  });

  it('stores what the profiler sends through the notifier', async () => {
    const base = await traceThroughNotifier(
      REDIS_URL,
      { project: 'glance', service: 'api', flushIntervalMs: 5 },
      { request: { path: '/' } },
    );
    const report = await driver.getReport(base);
    assert.equal(report.children[0]!.info.name, 'wsgi');
    assert.equal(report.children[0]!.info.project, 'glance');
    assert.equal(report.children[0]!.children[0]!.info.name, 'db');
  });

  it('does not keep a finished process alive with its idle connection', async () => {
    try {
      const started = Date.now();
      const child = runTsModule(
        `import { createRedisDriver } from ${srcModule('drivers/redis/driver.ts')};
const d = await createRedisDriver(${JSON.stringify(REDIS_URL)}, {});
await d.notifyBatch([{ name: 'exit-start', base_id: 'exit-check', trace_id: 't', parent_id: 'exit-check', timestamp: '2024-01-01T00:00:00.000000', info: { host: 'h' } }]);
console.log('written');
`,
        20_000,
      );
      assert.equal(child.stdout.trim(), 'written', child.stderr);
      assert.equal(child.status, 0, child.stderr);
      assert.ok(Date.now() - started < 15_000);
    } finally {
      await raw.del('osprofiler_opt:exit-check');
    }
  });
});

describe('RedisDriver when Redis is down', () => {
  it('fails a batch fast, and the notifier counts it while the host goes on', async () => {
    const port = await freePort();
    const driver = await createRedisDriver(`redis://127.0.0.1:${port}/0`);
    try {
      const t0 = performance.now();
      await assert.rejects(driver.notifyBatch([note(randomUUID(), 'a-start')]), DriverUnavailableError);
      await assert.rejects(driver.getReport('x'), DriverUnavailableError);
      assert.ok(performance.now() - t0 < 1000, 'failed within a second');
    } finally {
      await driver.close();
    }

    const notifier = createNotifier(`redis://127.0.0.1:${port}/0`, { flushIntervalMs: 1 });
    try {
      const t0 = performance.now();
      for (let i = 0; i < 1000; i++) notifier(note('down', 'a-start'));
      assert.ok(
        performance.now() - t0 < 1000,
        'notify never waits for the store (a wait would take the connect timeout)',
      );
      await notifier.flush();
      const stats = notifier.stats();
      assert.equal(stats.written, 0);
      assert.equal(stats.failed + stats.dropped, 1000);
      assert.ok(stats.failed > 0);
    } finally {
      await notifier.shutdown();
    }
  });
});

const serverBinary = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
const recoverySkip = serverBinary.status === 0 ? false : servicesRequired ? false : 'redis-server is not installed';

describe('RedisDriver recovery', { skip: recoverySkip }, () => {
  let server: ChildProcess | undefined;
  let port = 0;
  const dir = mkdtempSync(join(tmpdir(), 'osp-redis-srv-'));

  async function startServer(): Promise<void> {
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: 'ignore',
      },
    );
    const probe = probeClient(port);
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`redis-server did not start on port ${port}`);
  }
  async function stopServer(): Promise<void> {
    const s = server;
    server = undefined;
    if (s === undefined || s.exitCode !== null) return;
    await new Promise((resolve) => {
      s.once('exit', resolve);
      s.kill('SIGTERM');
    });
  }

  before(async () => {
    port = await freePort();
    await startServer();
  });
  after(async () => {
    await stopServer();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails while the server is gone and writes again once it is back', async () => {
    const driver = await createRedisDriver(`redis://127.0.0.1:${port}/0`);
    const base = randomUUID();
    try {
      await driver.notifyBatch([note(base, 'one-start')]);
      await stopServer();
      const t0 = performance.now();
      await assert.rejects(driver.notifyBatch([note(base, 'two-start')]), DriverUnavailableError);
      await assert.rejects(driver.notifyBatch([note(base, 'three-start')]), DriverUnavailableError);
      assert.ok(performance.now() - t0 < 1000);
      await startServer();
      let written = false;
      for (let i = 0; i < 100 && !written; i++) {
        try {
          await driver.notifyBatch([note(base, 'four-start')]);
          written = true;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      assert.ok(written, 'wrote again after the restart');
      // the restarted server has no data: only what was written after it came back
      const names = (await driver.listTraces(['base_id', 'name'])).map((t) => t.name);
      assert.deepEqual(names, ['four-start']);
    } finally {
      await driver.close();
    }
  });
});

describe('RedisDriver through Redis Sentinel (redissentinel://)', { skip: recoverySkip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'osp-sentinel-'));
  const children: ChildProcess[] = [];
  let masterPort = 0;
  let sentinelPort = 0;

  async function waitFor(port: number, check: (r: Redis) => Promise<boolean>): Promise<void> {
    const probe = probeClient(port);
    try {
      for (let i = 0; i < 100; i++) {
        try {
          if (probe.status !== 'ready') await probe.connect();
          if (await check(probe)) return;
        } catch {
          // not up yet
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`nothing usable on port ${port}`);
    } finally {
      probe.disconnect();
    }
  }

  before(async () => {
    masterPort = await freePort();
    sentinelPort = await freePort();
    children.push(
      spawn(
        'redis-server',
        ['--port', String(masterPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
        {
          stdio: 'ignore',
        },
      ),
    );
    await waitFor(masterPort, async (r) => (await r.ping()) === 'PONG');
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      `port ${sentinelPort}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor osp-master 127.0.0.1 ${masterPort} 1\n`,
    );
    children.push(spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' }));
    await waitFor(sentinelPort, async (r) => {
      const addr = (await r.call('SENTINEL', 'get-master-addr-by-name', 'osp-master')) as string[] | null;
      return addr?.[1] === String(masterPort);
    });
  });
  after(async () => {
    for (const child of children) {
      if (child.exitCode === null) {
        await new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
        });
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the master through the sentinel and stores in the Python layout', async () => {
    const driver = await createRedisSentinelDriver(`redissentinel://127.0.0.1:${sentinelPort}/3`, {
      sentinelServiceName: 'osp-master',
      socketTimeoutMs: 1000,
    });
    const base = randomUUID();
    try {
      await driver.notifyBatch([note(base, 'a-start', { timestamp: '2024-05-14T09:30:00.000001' })]);
      assert.deepEqual(await driver.listTraces(), [{ base_id: base, timestamp: '2024-05-14T09:30:00.000001' }]);
      assert.match(driver.describe(), /Redis master "osp-master" via sentinel 127\.0\.0\.1:\d+ \(db 3\)/);
    } finally {
      await driver.close();
    }
    const direct = new Redis({ host: '127.0.0.1', port: masterPort, db: 3 });
    try {
      assert.equal(await direct.llen(`osprofiler_opt:${base}`), 1);
    } finally {
      direct.disconnect();
    }
  });

  it('fails fast when the sentinel knows no such master or no sentinel answers', async () => {
    for (const url of [`redissentinel://127.0.0.1:${sentinelPort}`, `redissentinel://127.0.0.1:${await freePort()}`]) {
      const driver = await createRedisSentinelDriver(url, { sentinelServiceName: 'no-such-master' });
      try {
        const t0 = performance.now();
        await assert.rejects(driver.notifyBatch([note(randomUUID(), 'a-start')]), DriverUnavailableError);
        assert.ok(performance.now() - t0 < 1000);
      } finally {
        await driver.close();
      }
    }
  });
});
