// osprofiler/db: SQL statement tracing for pg, mysql2 and better-sqlite3 (re-exports only).
export { instrumentPg, type PgClientLike, type PgPoolLike } from './instrumentation/db/pg.js';
export { instrumentMysql2 } from './instrumentation/db/mysql2.js';
export { instrumentSqlite, type SqliteDatabaseLike } from './instrumentation/db/sqlite.js';
export type { DbTraceOptions } from './instrumentation/db/span.js';
export { MAX_STATEMENT_CHARS, MAX_PARAMS, MAX_PARAM_CHARS } from './instrumentation/db/statement.js';
