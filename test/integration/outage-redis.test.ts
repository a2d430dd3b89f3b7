// A Redis server (a child on a spare port) stopped for 10 s under steady traced load, then started again.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { freePort, optionalBinary, servicesRequired } from '../helpers/services.js';
import { redisProbe } from '../helpers/redis.js';
import { runOutage, type StoppableStore } from '../helpers/outage.js';
import { assertCleanOutage } from '../helpers/outage-asserts.js';

const binary = optionalBinary('redis-server', 'apt-get install redis-server');
// why: under OSPROFILER_REQUIRE_SERVICES=1 a missing redis-server fails instead of skipping.
if (servicesRequired && binary.skip) throw new Error(`${binary.skip}, and OSPROFILER_REQUIRE_SERVICES=1 requires it.`);

const dir = mkdtempSync(join(tmpdir(), 'osp-outage-redis-'));
let server: ChildProcess | undefined;
after(() => {
  server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function startRedis(port: number): Promise<void> {
  // why: append-only, so what was stored before the stop is still there to count afterwards.
  server = spawn(
    binary.path!,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--daemonize',
      'no',
      '--save',
      '',
      '--appendonly',
      'yes',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200; i++) {
    try {
      await redisProbe(port)();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error(`redis-server on port ${port} did not start`);
}

async function stopRedis(): Promise<void> {
  const child = server;
  server = undefined;
  if (child === undefined || child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('a Redis outage under load', { skip: binary.skip }, () => {
  it('every request succeeds, memory stays bounded, losses are counted, writing resumes within 2 s', async (t) => {
    const port = await freePort();
    await startRedis(port);
    const store: StoppableStore = {
      url: `redis://127.0.0.1:${port}/0`,
      options: { maxQueueSize: 2000 },
      stop: stopRedis,
      start: () => startRedis(port),
      async stored() {
        const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
        await client.connect();
        try {
          let total = 0;
          let cursor = '0';
          do {
            const [next, keys] = await client.scan(cursor, 'MATCH', 'osprofiler_opt:*', 'COUNT', 1000);
            cursor = next;
            for (const key of keys) total += await client.llen(key);
          } while (cursor !== '0');
          return total;
        } finally {
          client.disconnect();
        }
      },
    };
    const figures = await runOutage(store);
    t.diagnostic(JSON.stringify(figures, (k, v) => (k === 'stderr' ? undefined : v)));
    assertCleanOutage(figures, /writing \d+ notifications to redis:\/\/127\.0\.0\.1:\d+\/0 failed/);
    await stopRedis();
  });
});
