// Batched row inserts into the `data` table of a better-sqlite3 connection (main thread or writer thread).
import type Database from 'better-sqlite3';
import { forEachInsert, ROW_COLUMNS, ROWS_PER_INSERT, type EncodedBatch } from './encoded-batch.js';

/**
 * why: in WAL mode each checkpoint fsyncs the log and the database; at SQLite's default of 1000
 * pages (4 MB) a stream of spans checkpoints every ~7k rows and those fsyncs took about a third of
 * the write time in the store bench. 10,000 pages (~40 MB of log) checkpoint ten times less often;
 * durability is unchanged (commits never fsync at NORMAL).
 */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;

/** The per-connection settings every writing connection uses. */
export function configureWriter(db: Database.Database): void {
  if (!db.memory) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
}

const COLUMN_LIST = ROW_COLUMNS.join(', ');
/**
 * Statements (and value arrays) kept per connection; beyond it they are made again. why: one per
 * INSERT size and set of constant columns, of which a store sees a handful.
 */
const MAX_STATEMENTS = 64;

/**
 * A function that writes a batch in one IMMEDIATE transaction.
 * why: IMMEDIATE takes the write lock up front, so a busy peer makes us wait (busy_timeout)
 * instead of failing when a deferred transaction tries to upgrade its lock.
 */
export function createBatchInserter(db: Database.Database): (batch: EncodedBatch) => void {
  const statements = new Map<number, Database.Statement<unknown[]>>();
  /**
   * The INSERT of `rows` rows whose `constants` columns (EncodedBatch bits) are named parameters.
   * why: a column with the same value in every row (the store's project, host and service, a
   * trace's base_id) is bound once instead of once per row: ~15 % less time per INSERT.
   */
  const insertOf = (rows: number, constants: number): Database.Statement<unknown[]> => {
    const key = rows * 1024 + constants;
    let statement = statements.get(key);
    if (statement === undefined) {
      const tuple = `(${ROW_COLUMNS.map((c, i) => ((constants & (1 << i)) !== 0 ? `@${c}` : '?')).join(', ')})`;
      const values = new Array<string>(rows).fill(tuple).join(', ');
      if (statements.size >= MAX_STATEMENTS) statements.clear();
      statement = db.prepare<unknown[]>(`INSERT INTO data (${COLUMN_LIST}) VALUES ${values}`);
      statements.set(key, statement);
    }
    return statement;
  };
  // why: the statement of a full-size INSERT of one trace's spans (store defaults, one base_id)
  // is compiled now, not inside the first batch.
  insertOf(ROWS_PER_INSERT, STORE_CONSTANTS);
  // why: one array per length, reused, so a batch allocates only its values' slices.
  const scratch = new Map<number, unknown[]>();
  const valuesOf = (length: number): unknown[] => {
    let values = scratch.get(length);
    if (values === undefined) {
      if (scratch.size >= MAX_STATEMENTS) scratch.clear();
      scratch.set(length, (values = new Array<unknown>(length)));
    }
    return values;
  };
  const tx = db.transaction((batch: EncodedBatch) => {
    forEachInsert(batch, valuesOf, ({ rows, constants, values, named }) => {
      if (constants === 0) insertOf(rows, 0).run(values);
      else insertOf(rows, constants).run(values, named);
    });
  });
  return (batch) => {
    try {
      tx.immediate(batch);
    } finally {
      // why: the reused arrays must not keep the batch's text alive until the next one.
      for (const values of scratch.values()) values.fill(undefined);
    }
  };
}

/** The constant columns of a store's usual INSERT: project, host, service and base_id. */
const STORE_CONSTANTS = ['project', 'host', 'service', 'base_id'].reduce(
  (bits, c) => bits | (1 << ROW_COLUMNS.indexOf(c as (typeof ROW_COLUMNS)[number])),
  0,
);
