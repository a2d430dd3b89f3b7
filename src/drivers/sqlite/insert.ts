// Batched row inserts into the `data` table of a better-sqlite3 connection (main thread or writer thread).
import type Database from 'better-sqlite3';
import { DEFAULTED_COLUMNS, forEachInsert, ROW_COLUMNS, ROWS_PER_INSERT, type EncodedBatch } from './encoded-batch.js';

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
const FULL_TUPLE = `(${ROW_COLUMNS.map(() => '?').join(', ')})`;
/**
 * why: project, host and service are the store's own values in nearly every row; bound once per
 * statement as named parameters, they are neither copied to the writer nor bound per row (an
 * INSERT binds a third fewer values, ~15 % less time).
 */
const SHORT_TUPLE = `(${ROW_COLUMNS.map((c) => (DEFAULTED_COLUMNS.has(c) ? `@${c}` : '?')).join(', ')})`;

/**
 * A function that writes a batch in one IMMEDIATE transaction.
 * why: IMMEDIATE takes the write lock up front, so a busy peer makes us wait (busy_timeout)
 * instead of failing when a deferred transaction tries to upgrade its lock.
 */
export function createBatchInserter(db: Database.Database): (batch: EncodedBatch) => void {
  const statements = new Map<number, Database.Statement<unknown[]>>();
  /** Statement of `rows` rows, keyed by rows (short rows) or -rows (full rows). */
  const insertOf = (rows: number, full: boolean): Database.Statement<unknown[]> => {
    const key = full ? -rows : rows;
    let statement = statements.get(key);
    if (statement === undefined) {
      const values = new Array<string>(rows).fill(full ? FULL_TUPLE : SHORT_TUPLE).join(', ');
      statement = db.prepare<unknown[]>(`INSERT INTO data (${COLUMN_LIST}) VALUES ${values}`);
      statements.set(key, statement);
    }
    return statement;
  };
  // why: the statement of a full-size INSERT is compiled now, not inside the first batch.
  insertOf(ROWS_PER_INSERT, false);
  // why: one array per length, reused, so a batch allocates only its values' slices.
  const scratch = new Map<number, unknown[]>();
  const valuesOf = (length: number): unknown[] => {
    let values = scratch.get(length);
    if (values === undefined) scratch.set(length, (values = new Array<unknown>(length)));
    return values;
  };
  const tx = db.transaction((batch: EncodedBatch) => {
    forEachInsert(batch, valuesOf, (rows, full, values) => {
      if (full) insertOf(rows, true).run(values);
      else insertOf(rows, false).run(values, batch.defaults);
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
