// Opens a SQLite store for reading only: no DDL, no journal-mode change, and a clear "no trace store here".
import { existsSync, readFileSync, statSync } from 'node:fs';
import { loadSqlite } from './library.js';
import type BetterSqlite3 from 'better-sqlite3';
import { DriverUnavailableError, NotATraceStoreError } from '../../errors.js';
import { logRateLimited } from '../../log.js';

/**
 * The largest file read into memory when its folder cannot be written (see openReader).
 * why: memory stays bounded; a larger store in such a folder gets a message saying what to do.
 */
export const READONLY_FOLDER_COPY_MAX_BYTES = 256 * 1024 * 1024;

/** True when the connection can see the `data` table (throws when the file is not a database). */
function hasDataTable(db: BetterSqlite3.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'data'").get() !== undefined;
}

/**
 * A WAL-mode file whose folder this user cannot write, and with no `-wal` log beside it: SQLite
 * cannot create the `-shm` index a WAL reader needs, yet the file alone holds every committed row
 * (a writer could not have opened it in that folder either). It is read from a copy in memory,
 * marked as a rollback-journal database there (the file itself is not touched).
 */
function openInMemoryCopy(path: string): BetterSqlite3.Database {
  const size = statSync(path).size;
  if (size > READONLY_FOLDER_COPY_MAX_BYTES) {
    throw new DriverUnavailableError(
      `Cannot read the SQLite file ${path}: its folder cannot be written (SQLite needs to create ${path}-shm to read a WAL-mode store) and at ${Math.round(size / 1048576)} MB it is too large to read from memory; copy it to a writable folder.`,
    );
  }
  const image = readFileSync(path);
  // why: bytes 18 and 19 say "WAL mode" (2); an in-memory database cannot use WAL, so the copy says 1.
  if (image.length >= 20 && image[18] === 2 && image[19] === 2) {
    image[18] = 1;
    image[19] = 1;
  }
  return new (loadSqlite())(image, { readonly: true });
}

/**
 * Opens `path` (which must exist) read-only and checks that it holds the `data` table.
 * Throws NotATraceStoreError for another application's database, an empty file or one that is
 * not a database, and DriverUnavailableError when it cannot be opened at all.
 */
export function openReader(path: string, timeoutMs: number): BetterSqlite3.Database {
  let db: BetterSqlite3.Database;
  try {
    db = new (loadSqlite())(path, { readonly: true, fileMustExist: true, timeout: timeoutMs });
  } catch (error) {
    throw new DriverUnavailableError(`Cannot open the SQLite file ${path}: ${(error as Error).message}`, error);
  }
  try {
    hasDataTable(db);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_READONLY_DIRECTORY' && !existsSync(`${path}-wal`)) {
      db.close();
      db = openInMemoryCopy(path);
    } else if (code.startsWith('SQLITE_CORRUPT')) {
      // why: a truncated file claims more pages than it has, and SQLite then refuses the whole
      // schema; with writable_schema (harmless on a read-only connection, which cannot write)
      // it reads the pages that are there, so the rows before the damage can still be shown.
      db.close();
      db = new (loadSqlite())(path, { readonly: true, fileMustExist: true, timeout: timeoutMs });
      db.unsafeMode(true);
      db.pragma('writable_schema = ON');
      logRateLimited(
        'warn',
        `sqlite-damaged:${path}`,
        `osprofiler: the SQLite file ${path} is damaged (${(error as Error).message}); showing what can still be read`,
      );
    }
  }
  return checked(db, path);
}

/** `db` when it holds the `data` table; otherwise closes it and throws NotATraceStoreError. */
function checked(db: BetterSqlite3.Database, path: string): BetterSqlite3.Database {
  let found: boolean;
  try {
    found = hasDataTable(db);
  } catch (error) {
    db.close();
    throw new NotATraceStoreError(
      `No trace store here: ${path} cannot be read as a SQLite database (${(error as Error).message}).`,
      error,
    );
  }
  if (!found) {
    db.close();
    throw new NotATraceStoreError(`No trace store here: ${path} has no "data" table of traces.`);
  }
  return db;
}
