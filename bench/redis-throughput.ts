// Redis benchmark (issue 7): spans/s through the notifier vs raw ioredis pipelined LPUSH, and getReport of a 100k-span trace vs LRANGE + JSON.parse.
// Run: node --import tsx bench/redis-throughput.ts   (Redis at OSPROFILER_BENCH_REDIS, default redis://127.0.0.1:6379/15)
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createNotifier, runWithProfiler, setNotifier, Profiler } from '../src/index.js';
import { createRedisDriver } from '../src/drivers/redis/driver.js';
import { parseRedisUrl } from '../src/drivers/redis/url.js';
import { nowUs, formatTimestamp } from '../src/propagation/timestamp.js';
import { row } from './harness.js';
import { writeTrace } from './check-read.js';

const REDIS_URL = process.env.OSPROFILER_BENCH_REDIS ?? 'redis://127.0.0.1:6379/15';
const SPANS = Number(process.env.OSPROFILER_BENCH_SPANS ?? 200_000);
const CHUNK = 20_000; // spans per chunk: 40k notifications stay below the queue's 100k bound
const REPORT_SPANS = 100_000;

const target = parseRedisUrl(REDIS_URL);
const raw = new Redis({
  host: target.endpoints[0]!.host,
  port: target.endpoints[0]!.port,
  db: target.db,
  password: target.password,
});
const written: string[] = [];

async function dropKeys(): Promise<void> {
  for (let i = 0; i < written.length; i += 1000) await raw.del(...written.slice(i, i + 1000));
  written.length = 0;
}

/** Spans per second through createNotifier → queue → RedisDriver (one base id per 100 spans, like requests). */
async function throughNotifier(): Promise<number> {
  const notifier = createNotifier(REDIS_URL, { project: 'bench', service: 'api', maxBatchSize: 1000 });
  setNotifier(notifier);
  const t0 = process.hrtime.bigint();
  for (let done = 0; done < SPANS; done += CHUNK) {
    for (let r = 0; r < CHUNK / 100; r++) {
      const profiler = new Profiler('key');
      written.push(`osprofiler_opt:${profiler.getBaseId()}`);
      runWithProfiler(profiler, () => {
        for (let i = 0; i < 100; i++) {
          profiler.start('db', { db: { statement: 'SELECT 1' } });
          profiler.stop();
        }
      });
    }
    await notifier.flush();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const stats = notifier.stats();
  setNotifier(undefined);
  await notifier.shutdown();
  if (stats.dropped > 0 || stats.failed > 0 || stats.written !== SPANS * 2)
    throw new Error(`bench invalid: ${JSON.stringify(stats)}`);
  return SPANS / seconds;
}

/** Baseline: the same records built by hand, JSON.stringify'd, LPUSHed in pipelines of 1000 with plain ioredis. */
async function rawPipelined(): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let done = 0; done < SPANS; done += 500) {
    const pipeline = raw.pipeline();
    for (let r = 0; r < 5; r++) {
      const base = randomUUID();
      const key = `osprofiler_opt:${base}`;
      written.push(key);
      for (let i = 0; i < 100; i++) {
        const id = randomUUID();
        for (const name of ['db-start', 'db-stop']) {
          const info = name === 'db-start' ? { db: { statement: 'SELECT 1' }, host: 'h' } : { host: 'h' };
          const record = {
            name,
            base_id: base,
            trace_id: id,
            parent_id: base,
            timestamp: formatTimestamp(nowUs()),
            info,
            project: 'bench',
            service: 'api',
          };
          pipeline.lpush(key, JSON.stringify(record));
        }
      }
    }
    await pipeline.exec();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return SPANS / seconds;
}

/**
 * getReport of one trace with 100k spans (200k records, bench:check's shape), written through
 * the driver, next to a baseline run alternately in the same process: one LRANGE 0 -1 with plain ioredis and
 * JSON.parse of every record, the parsed objects kept (the least any report needs). Medians of 5.
 */
async function reportOf100k(): Promise<{ ms: number; cpu: number; baseMs: number; baseCpu: number; nodes: number }> {
  const driver = await createRedisDriver(REDIS_URL, { project: 'bench', service: 'api' });
  const base = await writeTrace(driver, REPORT_SPANS);
  written.push(`osprofiler_opt:${base}`);
  const ours: [number, number][] = [];
  const baseline: [number, number][] = [];
  let nodes = 0;
  const timed = async (fn: () => Promise<unknown>): Promise<[number, number]> => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    return [wall, (c.user + c.system) / 1000];
  };
  for (let r = 0; r < 6; r++) {
    const a = await timed(async () => {
      nodes = (await driver.getReport(base)).children.length;
    });
    const b = await timed(async () => {
      const kept = (await raw.lrange(`osprofiler_opt:${base}`, 0, -1)).map((text) => JSON.parse(text) as unknown);
      if (kept.length !== REPORT_SPANS * 2) throw new Error('bench invalid: baseline read a short list');
    });
    // the first round warms both paths up
    if (r > 0) {
      ours.push(a);
      baseline.push(b);
    }
  }
  await driver.close();
  const mid = (xs: number[]): number => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return {
    ms: mid(ours.map((x) => x[0])),
    cpu: mid(ours.map((x) => x[1])),
    baseMs: mid(baseline.map((x) => x[0])),
    baseCpu: mid(baseline.map((x) => x[1])),
    nodes,
  };
}

try {
  await raw.ping();
} catch (error) {
  console.error(`Redis is not reachable at ${REDIS_URL}: ${(error as Error).message}`);
  process.exit(1);
}

try {
  // warm both paths once, then measure
  const baseline = (await rawPipelined(), await dropKeys(), await rawPipelined());
  await dropKeys();
  const ours = (await throughNotifier(), await dropKeys(), await throughNotifier());
  await dropKeys();
  const report = await reportOf100k();

  console.log(`\nosprofiler Redis benchmark — Node ${process.version}, ${REDIS_URL}, ${new Date().toISOString()}\n`);
  row(
    'baseline: raw ioredis pipelined LPUSH',
    `${Math.round(baseline).toLocaleString('en')} spans/s`,
    '(2 JSON records per span)',
  );
  row(
    'notifier → queue → RedisDriver',
    `${Math.round(ours).toLocaleString('en')} spans/s`,
    `= ${(ours / baseline).toFixed(2)}x the baseline (includes creating the spans)`,
  );
  row(
    `getReport, ${REPORT_SPANS.toLocaleString('en')}-span trace`,
    `${report.ms.toFixed(0)} ms`,
    `CPU ${report.cpu.toFixed(0)} ms; ${report.nodes.toLocaleString('en')} top-level nodes; target <= 500 ms${report.ms <= 500 ? '' : ' (MISSED)'}`,
  );
  row(
    '  baseline: LRANGE 0 -1 + JSON.parse, objects kept',
    `${report.baseMs.toFixed(0)} ms`,
    `CPU ${report.baseCpu.toFixed(0)} ms; getReport = ${(report.ms / report.baseMs).toFixed(2)}x`,
  );
} finally {
  await dropKeys();
  raw.disconnect();
}
