// Batched row inserts into the `data` table of a better-sqlite3 connection (main thread or writer thread).
import type Database from 'better-sqlite3';
import { SQL_INSERT_COLUMNS } from '../sql/layout.js';

/** Values of one INSERT's rows, flat, in SQL_INSERT_COLUMNS order (up to ROWS_PER_INSERT rows). */
export type RowChunk = unknown[];

export const VALUES_PER_ROW = SQL_INSERT_COLUMNS.length;
/**
 * why: one INSERT of many rows binds and steps once instead of once per row; beyond ~50 rows the
 * gain flattens out, and 100 rows stay far below SQLite's bound-parameter limit.
 */
export const ROWS_PER_INSERT = 100;
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

/**
 * A function that writes chunks of rows in one IMMEDIATE transaction.
 * why: IMMEDIATE takes the write lock up front, so a busy peer makes us wait (busy_timeout)
 * instead of failing when a deferred transaction tries to upgrade its lock.
 */
export function createBatchInserter(db: Database.Database): (chunks: readonly RowChunk[]) => void {
  const inserts = new Map<number, Database.Statement<unknown[]>>();
  const insertOf = (rows: number): Database.Statement<unknown[]> => {
    let statement = inserts.get(rows);
    if (statement === undefined) {
      const tuple = `(${SQL_INSERT_COLUMNS.map(() => '?').join(', ')})`;
      statement = db.prepare<unknown[]>(
        `INSERT INTO data (${SQL_INSERT_COLUMNS.join(', ')}) VALUES ${new Array<string>(rows).fill(tuple).join(', ')}`,
      );
      inserts.set(rows, statement);
    }
    return statement;
  };
  const tx = db.transaction((chunks: readonly RowChunk[]) => {
    for (const values of chunks) insertOf(values.length / VALUES_PER_ROW).run(values);
  });
  return (chunks) => tx.immediate(chunks);
}
