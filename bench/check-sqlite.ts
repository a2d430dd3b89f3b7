// bench:check's SQLite measures: spans through the notifier vs a raw better-sqlite3 insert of the same rows, and reads vs raw select + parse.
import { loadSqlite, type BetterSqlite3 } from '../src/drivers/sqlite/library.js';
import { SQL_INSERT_COLUMNS, SQL_REPORT_COLUMNS } from '../src/drivers/sql/layout.js';
import { configureWriter } from '../src/drivers/sqlite/insert.js';
import { createSqliteDriver } from '../src/drivers/sqlite/driver.js';
import { renderJson } from '../src/report/json.js';
import type { Report } from '../src/report/types.js';
import { versusPython } from './python-peer.js';
import { RENDER_PAIRS, renderRatios } from './render-ratio.js';
import { writeTraceThroughNotifier } from './sqlite-writes.js';

const Database = loadSqlite();

/** Wall and CPU (user + system, every thread of the process) milliseconds of `fn`. */
async function timed(fn: () => unknown): Promise<{ wallMs: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000 };
}

let warmedUp = false;

/**
 * `spans` spans of one trace (a SQL statement in each start's info) through
 * createNotifier('sqlite:///file'), timed from the first start to the last flush, creating the
 * spans included; and the p99 of how long each notifyBatch call kept the event loop busy.
 */
export async function writeSpans(
  file: string,
  spans: number,
): Promise<{ wallMs: number; cpuMs: number; baseId: string; busyP99: number }> {
  if (!warmedUp) {
    // why: the first rounds of a fresh process measure V8 compiling the code and sizing its heap
    // (both sides' CPU ratio rose from ~0.35 to its steady value over three 10k rounds); one
    // discarded round of each side first, as readRatios does for reads.
    warmedUp = true;
    const warm = await writeSpans(`${file}.warm-up`, 10_000);
    rawInsertSpans(`${file}.warm-up`, `${file}.warm-up-raw`, warm.baseId);
  }
  const {
    timing: t,
    baseId,
    busyMs: busy,
  } = await writeTraceThroughNotifier(`sqlite:///${file}`, spans, { project: 'bench', service: 'api' }, timed);
  return {
    ...t,
    baseId,
    busyP99: busy[Math.min(busy.length - 1, Math.floor(busy.length * 0.99))]!,
  };
}

/**
 * Baseline: the rows the notifier stored, read back already encoded, inserted into a fresh file
 * with the same table, indexes and pragmas by plain better-sqlite3 (one prepared single-row
 * INSERT, 250 rows per transaction: the store's batch size). The table and index DDL is copied
 * from the store's file, so the two always maintain the same B-trees.
 */
export function rawInsertSpans(source: string, target: string, baseId: string): { wallMs: number; cpuMs: number } {
  const from = new Database(source, { readonly: true });
  const rows = from
    .prepare<[string], unknown[]>(`SELECT ${SQL_INSERT_COLUMNS.join(', ')} FROM data WHERE base_id = ? ORDER BY id`)
    .raw(true)
    .all(baseId);
  const schema = sameSchema(from);
  from.close();
  const db = new Database(target);
  configureWriter(db);
  for (const sql of schema) db.exec(sql);
  const insert = db.prepare(
    `INSERT INTO data (${SQL_INSERT_COLUMNS.join(', ')}) VALUES (${SQL_INSERT_COLUMNS.map(() => '?').join(', ')})`,
  );
  const tx = db.transaction((start: number) => {
    for (let i = start; i < Math.min(start + 250, rows.length); i++) insert.run(rows[i]!);
  });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 250) tx.immediate(i);
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  db.close();
  return { wallMs, cpuMs: (c.user + c.system) / 1000 };
}

/** The DDL of the `data` table and of every index on it, as stored in `db` (table first). */
export function sameSchema(db: BetterSqlite3.Database): string[] {
  return db
    .prepare<[], string>(
      "SELECT sql FROM sqlite_master WHERE tbl_name = 'data' AND sql IS NOT NULL ORDER BY type = 'table' DESC, name",
    )
    .pluck()
    .all();
}

/** Baseline of a read: the getReport SELECT, every `data` value JSON.parse'd twice and kept. */
function rawRead(file: string, baseId: string): number {
  const db = new Database(file, { readonly: true });
  const kept: unknown[] = [];
  const rows = db
    .prepare<[string], unknown[]>(`SELECT ${SQL_REPORT_COLUMNS.join(', ')} FROM data WHERE base_id = ? ORDER BY id`)
    .raw(true)
    .iterate(baseId);
  for (const v of rows) kept.push(JSON.parse(JSON.parse(v[7] as string) as string));
  db.close();
  return kept.length;
}

/** Runs `a` and `b`, `b` first when `swap`; returns [a's result, b's result]. */
async function pair<T>(a: () => Promise<T>, b: () => Promise<T>, swap: boolean): Promise<[T, T]> {
  if (!swap) {
    const first = await a();
    return [first, await b()];
  }
  const second = await b();
  return [await a(), second];
}

/**
 * Read ratios on trace `baseId` of `file`, each pair run back to back `rounds` times (after a
 * warm-up pair): getReport / raw read (which of the two runs first alternates), renderJson /
 * JSON.stringify(report, null, 2) (RENDER_PAIRS per round, see renderRatios), the acceptance's
 * getReport + JSON.stringify / raw read; then Python's get_report + json.dumps over our
 * getReport + renderJson, measured in this run (see python-peer.ts), or why it was not.
 */
export async function readRatios(
  file: string,
  baseId: string,
  rounds: number,
): Promise<{
  report: number[];
  render: number[];
  acceptance: number[];
  vsPython: number[] | { unmeasured: string };
}> {
  const out = { report: [] as number[], render: [] as number[], acceptance: [] as number[] };
  for (let r = 0; r <= rounds; r++) {
    const driver = createSqliteDriver(`sqlite:///${file}`, { readonly: true });
    let report: Report | undefined;
    const read = (): ReturnType<typeof timed> =>
      timed(async () => {
        report = await driver.getReport(baseId);
      });
    const raw = (): ReturnType<typeof timed> => timed(() => rawRead(file, baseId));
    // why: the pair swaps its order every round (as check-read.ts does), so neither side always
    // runs right after the previous round's garbage or always next to the other's live report.
    const [ours, rawRun] = await pair(read, raw, r % 2 === 1);
    driver.close();
    const plain = await timed(() => JSON.stringify(report));
    const render = renderRatios(report!, RENDER_PAIRS, r % 2 === 1);
    report = undefined;
    if (r === 0) continue;
    out.report.push(ours.wallMs / rawRun.wallMs);
    out.render.push(...render);
    out.acceptance.push((ours.wallMs + plain.wallMs) / rawRun.wallMs);
  }
  const url = `sqlite:///${file}`;
  const vsPython = await versusPython(url, baseId, 'sqlalchemy', async () => {
    const driver = createSqliteDriver(url, { readonly: true });
    try {
      return renderJson(await driver.getReport(baseId));
    } finally {
      driver.close();
    }
  });
  return { ...out, vsPython };
}
