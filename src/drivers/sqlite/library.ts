// Which better-sqlite3 this Node.js loads: the 13.x line (Node-API) from Node 22 on, 12.x on Node 20.
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const major = Number(process.versions.node.split('.')[0]);

/**
 * The package the SQLite store opens databases with.
 * why: 12.x is the last line that runs on Node 20, but on Node 24 its statements abort the process
 * when they are garbage-collected during teardown (`Assertion failed: (env) != nullptr` in
 * RemoveEnvironmentCleanupHook: Node 24's ObjectWrap registers cleanup hooks that 12.x's
 * destructors remove after the environment is gone). 13.x is built on Node-API, ships prebuilt
 * binaries in the package, and needs Node 22; on Node 20 it crashes, so each line runs where it works.
 */
export const SQLITE_PACKAGE = major >= 22 ? 'better-sqlite3-v13' : 'better-sqlite3';

const require = createRequire(import.meta.url);

let loaded: typeof BetterSqlite3 | undefined;

/**
 * better-sqlite3's Database class (the same API in both lines), loaded on first call.
 * why: importing `osprofiler/drivers` must not load a native addon that the application may never use.
 */
export function loadSqlite(): typeof BetterSqlite3 {
  return (loaded ??= require(SQLITE_PACKAGE) as typeof BetterSqlite3);
}

export type { BetterSqlite3 };
