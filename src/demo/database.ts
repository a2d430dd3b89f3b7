// Each demo service's embedded database: a SQLite file in the run's temporary folder, traced with instrumentSqlite.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { instrumentSqlite } from '../db.js';
import { SQLITE_PACKAGE } from '../drivers/sqlite/library.js';

// why: the same better-sqlite3 line the embedded store uses (12.x on Node 20, 13.x from Node 22), loaded only by the demo's services.
const Database = createRequire(import.meta.url)(SQLITE_PACKAGE) as typeof BetterSqlite3;

/** A better-sqlite3 database. */
export type Db = BetterSqlite3.Database;

/**
 * Opens (creating) `file` under `dir`, applies `schema` (idempotent statements) and returns the
 * database traced: every statement run inside a trace becomes a `db` span, as oslo.db's
 * `add_tracing` does for SQLAlchemy engines.
 */
export function openDatabase(dir: string, file: string, schema: string): Db {
  // why: two processes (nova's api and conductor) share one file; wait for each other's locks.
  const db = new Database(join(dir, file), { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.exec(schema);
  return instrumentSqlite(db);
}
