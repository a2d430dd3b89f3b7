// bench:check's Redis and PostgreSQL read measures: getReport vs the raw read a user would write, renderJson vs JSON.stringify.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import '../src/drivers/builtin.js';
import { createDriver, type Driver } from '../src/drivers/driver.js';
import { parseRedisUrl } from '../src/drivers/redis/url.js';
import { SQL_REPORT_COLUMNS } from '../src/drivers/sql/layout.js';
import { formatTimestamp } from '../src/propagation/timestamp.js';
import type { Notification } from '../src/core/payload.js';
import type { Report } from '../src/report/types.js';
import { renderJson } from '../src/report/json.js';
import { versusPython } from './python-peer.js';
import { RENDER_PAIRS, renderRatios } from './render-ratio.js';

const REDIS_URL = process.env.OSPROFILER_BENCH_REDIS ?? 'redis://127.0.0.1:6379/15';
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };

/**
 * Same-run ratios of one store's reads (getReport: one sample per round; renderJson: RENDER_PAIRS
 * per round, CPU time; Python's get_report + json.dumps over our getReport + renderJson, one per
 * Python round, or why Python could not be measured), or why they could not be measured.
 */
export type ReadRatios =
  { report: number[]; render: number[]; vsPython: number[] | { unmeasured: string } } | { unmeasured: string };

/** Our getReport + renderJson of trace `baseId`, the work Python's side times. */
const readAndRender = (driver: Driver, baseId: string) => async (): Promise<string> =>
  renderJson(await driver.reader!.getReport(baseId));

/** Wall milliseconds of `fn`. */
async function wallMs(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * The notifications of one trace of `spans` db spans, written in batches of 1,000: a tree where
 * every 100th span is top-level and the 99 after it are its children, start and stop 5 µs apart.
 */
export async function writeTrace(driver: Driver, spans: number): Promise<string> {
  const base = randomUUID();
  const t0 = Date.UTC(2026, 0, 1) * 1000;
  let batch: Notification[] = [];
  let group = base;
  for (let i = 0; i < spans; i++) {
    const id = randomUUID();
    const parent = i % 100 === 0 ? base : group;
    if (i % 100 === 0) group = id;
    const common = { base_id: base, trace_id: id, parent_id: parent, project: 'bench', service: 'api' };
    const statement = { statement: 'SELECT * FROM servers WHERE id = %s', params: [i] };
    batch.push({
      ...common,
      name: 'db-start',
      timestamp: formatTimestamp(t0 + i * 10),
      info: { db: statement, host: 'vm' },
    });
    batch.push({ ...common, name: 'db-stop', timestamp: formatTimestamp(t0 + i * 10 + 5), info: { host: 'vm' } });
    if (batch.length === 1000 || i === spans - 1) {
      await driver.notifyBatch(batch);
      batch = [];
    }
  }
  return base;
}

/** Times `a` and `b`, `b` first when `swap`; returns [a's ms, b's ms]. */
async function pair(a: () => Promise<number>, b: () => Promise<number>, swap: boolean): Promise<[number, number]> {
  if (!swap) {
    const aMs = await a();
    return [aMs, await b()];
  }
  const bMs = await b();
  return [await a(), bMs];
}

/**
 * `rounds` rounds (after a warm-up one), each: getReport through `createDriver(url)` and the raw
 * read, then renderJson of the report and JSON.stringify(report, null, 2) (see renderRatios). why:
 * each pair swaps its order every round, so neither side keeps paying for the garbage the one
 * before it left.
 */
async function readRounds(driver: Driver, baseId: string, raw: () => Promise<number>, rounds: number, records: number) {
  const out = { report: [] as number[], render: [] as number[] };
  for (let r = 0; r <= rounds; r++) {
    let report: Report | undefined;
    let kept = 0;
    const ours = async (): Promise<number> =>
      wallMs(async () => {
        report = await driver.reader!.getReport(baseId);
      });
    const base = async (): Promise<number> =>
      wallMs(async () => {
        kept = await raw();
      });
    const [oursMs, baseMs] = await pair(ours, base, r % 2 === 1);
    if (kept !== records) throw new Error(`bench invalid: the raw read kept ${kept} of ${records} records`);
    const render = renderRatios(report!, RENDER_PAIRS, r % 2 === 1);
    report = undefined;
    if (r === 0) continue;
    out.report.push(oursMs / baseMs);
    out.render.push(...render);
  }
  return out;
}

/**
 * Redis: a trace of `spans` spans written through the driver (Python's `osprofiler_opt:<base_id>`
 * list), read by getReport and by the baseline: one `LRANGE key 0 -1` with plain ioredis and
 * `JSON.parse` of every record, the objects kept. The key is deleted afterwards.
 */
export async function redisReadRatios(spans: number, rounds: number): Promise<ReadRatios> {
  const target = parseRedisUrl(REDIS_URL);
  const endpoint = target.endpoints[0]!;
  const raw = new Redis({
    host: endpoint.host,
    port: endpoint.port,
    db: target.db,
    password: target.password,
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await raw.connect();
    await raw.ping();
  } catch (error) {
    raw.disconnect();
    return { unmeasured: `Redis at ${REDIS_URL} is not reachable (${(error as Error).message})` };
  }
  const driver = await createDriver(REDIS_URL, { project: 'bench', service: 'api' });
  let key = '';
  try {
    const baseId = await writeTrace(driver, spans);
    key = `osprofiler_opt:${baseId}`;
    const rawRead = async (): Promise<number> => {
      const kept = (await raw.lrange(key, 0, -1)).map((text) => JSON.parse(text) as unknown);
      return kept.length;
    };
    const ratios = await readRounds(driver, baseId, rawRead, rounds, spans * 2);
    return { ...ratios, vsPython: await versusPython(REDIS_URL, baseId, 'redis', readAndRender(driver, baseId)) };
  } finally {
    if (key !== '') await raw.del(key);
    await driver.close?.();
    raw.disconnect();
  }
}

/**
 * PostgreSQL: a trace of `spans` spans written through the driver into a database of its own
 * (created and dropped here, so no other table is touched), read by getReport and by the
 * baseline: the same SELECT with pg (whose json type parser decodes `data` once) and `JSON.parse`
 * of each row's `data` string (Python's second level), the objects kept.
 */
export async function pgReadRatios(spans: number, rounds: number): Promise<ReadRatios> {
  const admin = new pg.Client({ ...PG, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (error) {
    return { unmeasured: `PostgreSQL at ${PG.host}:${PG.port} is not reachable (${(error as Error).message})` };
  }
  const database = `osp_bench_read_${process.pid}`;
  await admin.query(`CREATE DATABASE ${database}`);
  const pool = new pg.Pool({ ...PG, database, max: 1 });
  let driver: Driver | undefined;
  const url = `postgresql://${PG.user}@${PG.host}:${PG.port}/${database}`;
  try {
    driver = await createDriver(url, {
      project: 'bench',
      service: 'api',
      readTimeoutMs: 600_000,
      writeTimeoutMs: 600_000,
    });
    const baseId = await writeTrace(driver, spans);
    const select = `SELECT ${SQL_REPORT_COLUMNS.join(', ')} FROM data WHERE base_id = $1`;
    const rawRead = async (): Promise<number> => {
      const { rows } = await pool.query<{ data: string }>(select, [baseId]);
      const kept = rows.map((row) => JSON.parse(row.data) as unknown);
      return kept.length;
    };
    const ratios = await readRounds(driver, baseId, rawRead, rounds, spans * 2);
    return {
      ...ratios,
      vsPython: await versusPython(url, baseId, 'sqlalchemy, psycopg2', readAndRender(driver, baseId)),
    };
  } finally {
    await driver?.close?.();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  }
}
