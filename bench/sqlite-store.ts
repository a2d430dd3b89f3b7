// Issue 4 bench: SQLite writes through the notifier and getReport + JSON for 10k/100k spans, each next to a raw baseline run in the same process.
// Run: node --import tsx bench/sqlite-store.ts   (OSP_BENCH_RUNS=3 timed runs per read figure, median kept)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSqlite } from '../src/drivers/sqlite/library.js';
import { createIndexSql, createTableSql, SQL_INSERT_COLUMNS, SQL_REPORT_COLUMNS } from '../src/drivers/sql/layout.js';
import { createSqliteDriver } from '../src/drivers/sqlite/driver.js';
import { configureWriter } from '../src/drivers/sqlite/insert.js';
import { sameSchema } from './check-sqlite.js';
import { renderJson } from '../src/report/json.js';
import { renderHtml } from '../src/report/html.js';
import type { Report } from '../src/report/types.js';
import { writeTraceThroughNotifier } from './sqlite-writes.js';
import { row } from './harness.js';

const Database = loadSqlite();

const RUNS = Number(process.env.OSP_BENCH_RUNS ?? 3);
const BATCH = 250; // the SQLite driver's preferred batch (the notifier default for it), and the baseline's rows per transaction
const dir = mkdtempSync(join(tmpdir(), 'osp-bench-'));
const connectionString = `sqlite:///${join(dir, 'traces.db')}`;

/** Wall and CPU (user + system) milliseconds of `fn`. */
async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1000 };
}

/** Median wall/CPU ms over RUNS runs after one untimed warm-up run, whose result is returned. */
async function median<T>(fn: () => T | Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const value = await fn();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    // why: only timings are kept, so earlier results (100k-span reports) do not grow the heap
    const t = await timed(fn);
    walls.push(t.wall);
    cpus.push(t.cpu);
  }
  const mid = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { value, wall: mid(walls), cpu: mid(cpus) };
}

interface WriteFigures {
  wall: number;
  cpu: number;
  baseId: string;
  /** Milliseconds the event loop spent inside each notifyBatch call (sorted). */
  blocked: number[];
  batchSize: number;
}

/**
 * Writes `spans` spans of one trace through a real notifier; spans/s by wall and by CPU time (all
 * threads), and how long each batch kept the event loop busy inside the driver.
 */
async function writeSpans(
  spans: number,
  writer: 'thread' | 'inline',
  target = connectionString,
): Promise<WriteFigures> {
  const {
    timing: t,
    baseId,
    busyMs,
    batchSize,
  } = await writeTraceThroughNotifier(target, spans, { project: 'bench', service: 'api', writer }, timed);
  return {
    wall: spans / (t.wall / 1000),
    cpu: spans / (t.cpu / 1000),
    baseId,
    blocked: busyMs,
    batchSize,
  };
}

/**
 * Baseline: the rows the notifier stored for `baseId`, already encoded, inserted into a fresh file
 * by plain better-sqlite3 (the store's pragmas, one prepared single-row INSERT, BATCH rows per transaction) with
 * the given indexes. Spans/s (2 rows per span) by wall and by CPU time.
 */
async function rawInsert(
  baseId: string,
  indexes: readonly string[],
  label: string,
): Promise<{ wall: number; cpu: number }> {
  const source = new Database(join(dir, 'traces.db'), { readonly: true });
  const rows = source
    .prepare<[string], unknown[]>(`SELECT ${SQL_INSERT_COLUMNS.join(', ')} FROM data WHERE base_id = ? ORDER BY id`)
    .raw(true)
    .all(baseId);
  source.close();
  const db = new Database(join(dir, `raw-${label}.db`));
  configureWriter(db);
  db.exec(createTableSql('sqlite'));
  for (const sql of indexes) db.exec(sql);
  const insert = db.prepare(
    `INSERT INTO data (${SQL_INSERT_COLUMNS.join(', ')}) VALUES (${SQL_INSERT_COLUMNS.map(() => '?').join(', ')})`,
  );
  const tx = db.transaction((from: number) => {
    for (let i = from; i < Math.min(from + BATCH, rows.length); i++) insert.run(rows[i]!);
  });
  const t = await timed(() => {
    for (let i = 0; i < rows.length; i += BATCH) tx.immediate(i);
  });
  db.close();
  const spans = rows.length / 2;
  return { wall: spans / (t.wall / 1000), cpu: spans / (t.cpu / 1000) };
}

/**
 * Baseline: the least any report needs — the same SELECT as getReport (8 columns, raw rows) and
 * each `data` value JSON.parse'd (twice, as stored) into an object that is kept.
 */
function rawRead(baseId: string): number {
  const db = new Database(join(dir, 'traces.db'), { readonly: true });
  const kept: unknown[] = [];
  const rows = db
    .prepare<[string], unknown[]>(`SELECT ${SQL_REPORT_COLUMNS.join(', ')} FROM data WHERE base_id = ? ORDER BY id`)
    .raw(true)
    .iterate(baseId);
  for (const v of rows) kept.push(JSON.parse(JSON.parse(v[7] as string)));
  db.close();
  return kept.length;
}

const ms = (x: number): string => `${x.toFixed(0)} ms`;
const perS = (x: number): string => `${Math.round(x).toLocaleString('en')}/s`;

try {
  console.log(
    `\nosprofiler SQLite store benchmark — Node ${process.version}, median of ${RUNS} runs per read figure\n`,
  );
  const small = await writeSpans(10_000, 'thread');
  // why: each in a fresh file after the 10k run, so neither pays for a bigger index than the other.
  const inline = await writeSpans(100_000, 'inline', `sqlite:///${join(dir, 'inline.db')}`);
  const big = await writeSpans(100_000, 'thread');
  const store = new Database(join(dir, 'traces.db'), { readonly: true });
  const storeIndexes = sameSchema(store).slice(1); // the store's own index DDL, table first
  store.close();
  const rawOurs = await rawInsert(big.baseId, storeIndexes, 'ours');
  const rawPython = await rawInsert(big.baseId, createIndexSql({ extra: true }), 'python');
  const pct = (xs: number[], p: number): number => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
  const blockedRow = (label: string, f: WriteFigures, note = ''): void =>
    row(
      label,
      `${pct(f.blocked, 0.5).toFixed(2)} ms`,
      `p99 ${pct(f.blocked, 0.99).toFixed(2)} ms, max ${f.blocked.at(-1)!.toFixed(2)} ms per ${f.batchSize}-row batch${note}`,
    );
  row('write through the notifier, 10k spans (wall)', `${perS(small.wall)}`, `CPU time: ${perS(small.cpu)}`);
  row(
    'write through the notifier, 100k spans (wall)',
    `${perS(big.wall)}`,
    `CPU time: ${perS(big.cpu)}; target >= 100,000/s; Python SQL driver < 1,000 notifications/s`,
  );
  row(
    '  same, writer: inline (on the event loop)',
    `${perS(inline.wall)}`,
    `CPU time: ${perS(inline.cpu)}; writer thread = ${(big.wall / inline.wall).toFixed(2)}x (wall)`,
  );
  blockedRow('event loop busy in the driver per batch, thread', big);
  blockedRow(
    '  same, inline',
    inline,
    `; thread = ${(pct(inline.blocked, 0.5) / pct(big.blocked, 0.5)).toFixed(1)}x less per batch`,
  );
  row(
    'baseline: raw better-sqlite3 INSERT, same rows',
    `${perS(rawOurs.wall)}`,
    `CPU time: ${perS(rawOurs.cpu)}; notifier = ${(big.wall / rawOurs.wall).toFixed(2)}x (wall), ${(big.cpu / rawOurs.cpu).toFixed(2)}x (CPU)`,
  );
  row(
    "  same, with Python's 8 ix_data_* indexes too",
    `${perS(rawPython.wall)}`,
    `CPU time: ${perS(rawPython.cpu)} (what every insert paid before)`,
  );

  for (const [label, baseId, python] of [
    ['10k', small.baseId, 0.37],
    ['100k', big.baseId, 5.2],
  ] as const) {
    const driver = createSqliteDriver(connectionString, { readonly: true });
    const report = await median(() => driver.getReport(baseId));
    const base = await median(() => rawRead(baseId));
    const json = await median(() => renderJson(report.value as Report));
    const stringify = await median(() => JSON.stringify(report.value, null, 2));
    const html = await timed(() => renderHtml(report.value as Report));
    driver.close();
    const total = (report.wall + json.wall) / 1000;
    row(`getReport ${label} spans`, ms(report.wall), `CPU ${ms(report.cpu)}`);
    row(
      `  baseline: same SELECT, data JSON.parse'd and kept`,
      ms(base.wall),
      `CPU ${ms(base.cpu)}; getReport = ${(report.wall / base.wall).toFixed(2)}x`,
    );
    row(`renderJson ${label} spans`, ms(json.wall), `CPU ${ms(json.cpu)}`);
    row(
      `  baseline: JSON.stringify(report, null, 2)`,
      ms(stringify.wall),
      `renderJson = ${(json.wall / stringify.wall).toFixed(2)}x`,
    );
    row(
      `getReport + renderJson ${label} spans`,
      ms(total * 1000),
      `Python ${python} s → ${(python / total).toFixed(1)}x faster${label === '100k' ? '; target <= 500 ms' : ''}`,
    );
    row(`render HTML ${label} spans`, ms(html.wall), '(one run)');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
