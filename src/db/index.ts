// osprofiler/db: SQL statement tracing for pg, mysql2 and better-sqlite3 (re-exports only).
export { instrumentPg, type PgClientLike, type PgPoolLike } from './pg.js';
export { instrumentMysql2 } from './mysql2.js';
export { instrumentSqlite, type SqliteDatabaseLike } from './sqlite.js';
export type { DbTraceOptions } from './span.js';
export { MAX_STATEMENT_CHARS, MAX_PARAMS, MAX_PARAM_CHARS } from './statement.js';
