// postgresql:// and mysql:// — Python's SQLAlchemy table `data` on pg / mysql2: multi-row INSERTs, never blocking.
import { runOutsideTrace } from '../context.js';
import { DriverMissingError, DriverUnavailableError } from '../errors.js';
import { getHostname } from '../host.js';
import { debug, logRateLimited } from '../log.js';
import type { Notification } from '../payload.js';
import type { Report, TraceSummary } from '../report/types.js';
import type { Driver, DriverOptions } from './driver.js';
import {
  SQL_COLUMNS,
  SQL_INSERT_COLUMNS,
  SQL_REPORT_COLUMNS,
  SqlReportReader,
  createIndexSql,
  createTableSql,
  decodeDataColumn,
  notificationToRow,
  rowValues,
  type SqlRowDefaults,
  type SqlRowLike,
} from './sql-layout.js';
import {
  describeSqlTarget,
  mysqlConnectionSettings,
  parseSqlUrl,
  pgPoolSettings,
  type SqlServerDialect,
  type SqlTarget,
} from './sql-url.js';

/** What the driver needs from a database: `?` placeholders, rows as plain objects. */
export interface SqlClientLike {
  readonly dialect: SqlServerDialect;
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Options of {@link SqlDriver}: every driver's, plus the scheme and a label for messages. */
export interface SqlDriverOptions extends DriverOptions {
  scheme?: string;
  label?: string;
}

/** Counters of one driver. */
export interface SqlDriverStats {
  /** Notifications that could not be encoded (circular info) and were left out. */
  unwritable: number;
  /** Rows skipped by the last getReport (corrupt `data`, unparsable timestamp). */
  lastReportSkipped: number;
}

type Row = Record<string, unknown>;

const INSERT_CHUNK = 500;
const ROW_PLACEHOLDERS = `(${SQL_INSERT_COLUMNS.map(() => '?').join(', ')})`;
const IN_CHUNK = 500;
const COLUMN_NAMES = new Set(SQL_COLUMNS.map((c) => c.name));
// Errors that mean "someone else created it first" (PostgreSQL SQLSTATEs, MySQL errnos).
const ALREADY_EXISTS = new Set<unknown>(['42P07', '42710', '23505', 1050, 1061]);
const NO_TABLE = new Set<unknown>(['42P01', 1146]);

/**
 * The PostgreSQL / MySQL / MariaDB store, in Python's SQLAlchemy layout (fixtures/storage/sql.json):
 * table `data` with its `ix_data_<column>` indexes, created when missing (plus one composite
 * index of ours), one row per notification with `data` double-encoded. A batch is written with
 * multi-row INSERTs. A store that is down fails batches (the notifier counts them) and is used
 * again once it is back, creating the table then if needed. All I/O runs outside any trace.
 * @since 0.1.0
 */
export class SqlDriver implements Driver {
  readonly scheme: string;
  readonly stats: SqlDriverStats = { unwritable: 0, lastReportSkipped: 0 };
  readonly #client: SqlClientLike;
  readonly #defaults: SqlRowDefaults;
  readonly #label: string;
  #schema: Promise<void> | undefined;
  #schemaReady = false;
  #closed = false;

  constructor(client: SqlClientLike, options: SqlDriverOptions = {}) {
    this.#client = client;
    this.scheme = options.scheme ?? client.dialect;
    this.#label = options.label ?? client.dialect;
    this.#defaults = {
      project: options.project ?? null,
      service: options.service ?? null,
      host: options.host ?? getHostname(),
    };
  }

  /** Creates the table and indexes in the background (failures are retried by the next write). */
  warmUp(): void {
    this.ensureSchema().catch((error: unknown) =>
      debug('%s: schema not ready yet: %s', this.#label, (error as Error)?.message),
    );
  }

  /** Creates table `data` and its indexes unless they exist (Python: `create_all(checkfirst=True)`). */
  ensureSchema(): Promise<void> {
    if (this.#schemaReady) return Promise.resolve();
    this.#schema ??= runOutsideTrace(() => this.#createSchema()).then(
      () => void (this.#schemaReady = true),
      (error: unknown) => {
        this.#schema = undefined;
        throw this.#unavailable('cannot create table "data"', error);
      },
    );
    return this.#schema;
  }

  /** Stores a batch with multi-row INSERTs of up to 500 rows each. */
  async notifyBatch(batch: readonly Notification[]): Promise<void> {
    const rows: unknown[][] = [];
    for (const payload of batch) {
      try {
        rows.push(rowValues(notificationToRow(payload, this.#defaults)));
      } catch (error) {
        this.stats.unwritable++;
        logRateLimited(
          'warn',
          `sql-encode:${this.#label}`,
          `osprofiler: a notification could not be stored: ${(error as Error)?.message}`,
        );
      }
    }
    if (rows.length === 0) return;
    await this.#run(async () => {
      await this.ensureSchema();
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        const chunk = rows.slice(i, i + INSERT_CHUNK);
        const sql = `INSERT INTO data (${SQL_INSERT_COLUMNS.join(', ')}) VALUES ${chunk.map(() => ROW_PLACEHOLDERS).join(', ')}`;
        try {
          await this.#query(sql, chunk.flat());
        } catch (error) {
          if (!NO_TABLE.has(errorCode((error as Error).cause))) throw error;
          // why: the table was dropped while we ran (a cleanup job): create it again, once.
          this.#schemaReady = false;
          this.#schema = undefined;
          await this.ensureSchema();
          await this.#query(sql, chunk.flat());
        }
      }
    });
  }

  /** The report of one trace, rows in id order as Python reads them (an empty report if unknown). */
  async getReport(baseId: string): Promise<Report> {
    return this.#read(
      async () => {
        const reader = new SqlReportReader();
        const sql = `SELECT ${SQL_REPORT_COLUMNS.join(', ')} FROM data WHERE base_id = ? ORDER BY id`;
        for (const row of await this.#query(sql, [String(baseId)])) reader.add(row as SqlRowLike);
        this.stats.lastReportSkipped = reader.skipped;
        if (reader.skipped > 0) {
          logRateLimited(
            'warn',
            `sql-read:${this.#label}`,
            `osprofiler: ${reader.skipped} corrupt row(s) of trace ${baseId} skipped`,
          );
        }
        return reader.build();
      },
      () => new SqlReportReader().build(),
    );
  }

  /**
   * One entry per trace, its earliest row (Python takes the first row in table order), oldest
   * trace first. Column names are read from the row; other names from its `data` dict.
   */
  async listTraces(fields: readonly string[] = ['base_id', 'timestamp']): Promise<TraceSummary[]> {
    return this.#read(
      async () => {
        const simple = fields.every((f) => f === 'base_id' || f === 'timestamp');
        const rows = simple
          ? await this.#query(
              'SELECT base_id, MIN(timestamp) AS timestamp FROM data WHERE base_id IS NOT NULL GROUP BY base_id ORDER BY 2, 1',
            )
          : await this.#query(
              `SELECT * FROM (SELECT d.*, ROW_NUMBER() OVER (PARTITION BY base_id ORDER BY timestamp, id) AS osp_rn
               FROM data d WHERE base_id IS NOT NULL) t WHERE osp_rn = 1 ORDER BY timestamp, base_id`,
            );
        return rows.map((row) => projectRow(row, fields));
      },
      () => [],
    );
  }

  /**
   * Traces with an error stop (`info.etype`), found in the stored rows (Python's SQL driver has
   * no error list; no write-time filter is needed): `{base_id, timestamp}` of their start, oldest first.
   */
  async listErrorTraces(): Promise<TraceSummary[]> {
    return this.#read(
      async () => {
        const text = this.#client.dialect === 'postgresql' ? 'data::text' : 'CAST(data AS CHAR)';
        const candidates = await this.#query(
          `SELECT base_id, data FROM data WHERE name LIKE '%stop' AND ${text} LIKE '%etype%'`,
        );
        const ids = new Set<string>();
        for (const row of candidates) {
          const etype = (decodeDataColumn(row.data)?.info as { etype?: unknown } | undefined)?.etype;
          if (etype !== undefined && etype !== null && typeof row.base_id === 'string') ids.add(row.base_id);
        }
        const all = [...ids];
        const out: TraceSummary[] = [];
        for (let i = 0; i < all.length; i += IN_CHUNK) {
          const chunk = all.slice(i, i + IN_CHUNK);
          const sql = `SELECT base_id, MIN(timestamp) AS timestamp FROM data WHERE base_id IN (${chunk.map(() => '?').join(', ')}) GROUP BY base_id`;
          for (const row of await this.#query(sql, chunk))
            out.push({ base_id: String(row.base_id), timestamp: row.timestamp });
        }
        return out.sort((a, b) => compareText(a.timestamp, b.timestamp) || compareText(a.base_id, b.base_id));
      },
      () => [],
    );
  }

  describe(): string {
    return this.#label;
  }

  /** Closes the connections (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.close();
  }

  // ---- internals ----

  #run<T>(op: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new DriverUnavailableError(`${this.#label}: the driver is closed.`));
    return runOutsideTrace(op);
  }

  /** A read: creates the table if it can (as Python's driver does on start); a missing table reads as empty. */
  #read<T>(op: () => Promise<T>, empty: () => T): Promise<T> {
    return this.#run(async () => {
      await this.ensureSchema().catch(() => {});
      try {
        return await op();
      } catch (error) {
        if (error instanceof DriverUnavailableError && NO_TABLE.has(errorCode(error.cause))) return empty();
        throw error;
      }
    });
  }

  async #query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      return await this.#client.query(sql, params);
    } catch (error) {
      throw this.#unavailable('query failed', error);
    }
  }

  async #createSchema(): Promise<void> {
    const client = this.#client;
    const tolerate = (error: unknown): void => {
      if (!ALREADY_EXISTS.has(errorCode(error))) throw error;
    };
    if (client.dialect === 'postgresql') {
      await client.query(createTableSql('postgresql', true)).catch(tolerate);
      for (const sql of createIndexSql({ ifNotExists: true, extra: true })) await client.query(sql).catch(tolerate);
      return;
    }
    // why: MySQL has no CREATE INDEX IF NOT EXISTS (MariaDB has); look the indexes up instead.
    await client.query(`${createTableSql('mysql', true)} DEFAULT CHARSET=utf8mb4`).catch(tolerate);
    const existing = await client.query(
      "SELECT DISTINCT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'data'",
    );
    const names = new Set(existing.map((row) => String(row.name ?? row.NAME ?? row.INDEX_NAME ?? '')));
    for (const sql of createIndexSql({ extra: true })) {
      const name = /^CREATE INDEX (\S+) ON/.exec(sql)?.[1];
      if (name !== undefined && !names.has(name)) await client.query(sql).catch(tolerate);
    }
  }

  #unavailable(what: string, error: unknown): DriverUnavailableError {
    if (error instanceof DriverUnavailableError) return error;
    return new DriverUnavailableError(`${this.#label}: ${what}: ${(error as Error)?.message ?? error}`, error);
  }
}

function errorCode(error: unknown): unknown {
  const e = error as { code?: unknown; errno?: unknown } | undefined;
  return typeof e?.errno === 'number' ? e.errno : e?.code;
}

function compareText(a: unknown, b: unknown): number {
  const x = String(a ?? '');
  const y = String(b ?? '');
  return x < y ? -1 : x > y ? 1 : 0;
}

function projectRow(row: Row, fields: readonly string[]): TraceSummary {
  const needData = fields.some((f) => !COLUMN_NAMES.has(f));
  const data = needData ? decodeDataColumn(row.data) : undefined;
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (COLUMN_NAMES.has(field)) out[field] = row[field] ?? null;
    else if (data !== undefined && Object.hasOwn(data, field)) out[field] = data[field];
  }
  out.base_id ??= row.base_id;
  return out as TraceSummary;
}

// ---- clients ----

async function importPackage(
  scheme: string,
  pkg: string,
  load: () => Promise<unknown>,
): Promise<Record<string, unknown>> {
  try {
    const mod = (await load()) as Record<string, unknown>;
    // CommonJS packages: the module object is `default` under ESM.
    return (mod.default ?? mod) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new DriverMissingError(scheme, pkg, error);
    throw error;
  }
}

interface PgPool {
  query(sql: string, params: unknown[]): Promise<{ rows: Row[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** A client over a pg.Pool: `?` placeholders become `$1, $2, …`. */
export function pgClient(pool: PgPool, label = 'PostgreSQL'): SqlClientLike {
  // why: an idle pooled connection that fails emits 'error' on the pool; unheard, it would crash the host.
  pool.on('error', (error) => debug('%s: idle connection error: %s', label, error?.message));
  return {
    dialect: 'postgresql',
    async query(sql, params = []) {
      let n = 0;
      const text = params.length === 0 ? sql : sql.replace(/\?/g, () => `$${++n}`);
      return (await pool.query(text, [...params])).rows;
    },
    close: () => pool.end(),
  };
}

/** The part of the mysql2 module the driver uses. */
export interface MysqlModule {
  createConnection(settings: object): MysqlConnection;
}

interface MysqlConnection {
  readonly stream?: { ref?(): unknown; unref?(): unknown } | undefined;
  connect(callback: (error: Error | null) => void): void;
  query(
    sql: string,
    params: unknown[],
    callback: (error: (Error & { fatal?: boolean }) | null, rows: unknown) => void,
  ): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  end(callback?: (error?: Error | null) => void): void;
  destroy(): void;
}

/**
 * A client over one mysql2 connection, opened on first use and again after it breaks. The
 * queue writes one batch at a time, so one connection is enough; while idle it does not keep
 * the process alive (mysql2's pool would, with a timer that never stops).
 */
export function mysqlClient(mysql: MysqlModule, settings: object, label = 'MySQL'): SqlClientLike {
  let conn: MysqlConnection | undefined;
  let connecting: Promise<MysqlConnection> | undefined;
  let busy = 0;
  const applyRef = (): void => {
    if (busy > 0) conn?.stream?.ref?.();
    else conn?.stream?.unref?.();
  };
  const open = (): Promise<MysqlConnection> =>
    new Promise((resolve, reject) => {
      const c = mysql.createConnection(settings);
      c.on('error', (error) => {
        debug('%s: connection error: %s', label, error?.message);
        if (conn === c) conn = undefined;
      });
      c.connect((error) => {
        if (error) {
          c.destroy();
          return reject(error);
        }
        conn = c;
        applyRef();
        resolve(c);
      });
    });
  return {
    dialect: 'mysql',
    async query(sql, params = []) {
      busy++;
      applyRef();
      try {
        const c = conn ?? (await (connecting ??= open().finally(() => (connecting = undefined))));
        return await new Promise<Row[]>((resolve, reject) =>
          c.query(sql, [...params], (error, rows) => {
            if (error) {
              // why: after a fatal error mysql2 will not use the connection again; the next query reconnects.
              if (error.fatal && conn === c) conn = undefined;
              return reject(error);
            }
            resolve(Array.isArray(rows) ? (rows as Row[]) : []);
          }),
        );
      } finally {
        busy--;
        applyRef();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        const c = conn;
        conn = undefined;
        if (c === undefined) return resolve();
        const timer = setTimeout(() => {
          c.destroy();
          resolve();
        }, 1000);
        c.end(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

async function openClient(scheme: string, target: SqlTarget, label: string): Promise<SqlClientLike> {
  if (target.dialect === 'postgresql') {
    const pg = await importPackage(scheme, 'pg', () => import('pg'));
    const Pool = pg.Pool as new (settings: object) => PgPool;
    return pgClient(
      runOutsideTrace(() => new Pool(pgPoolSettings(target))),
      label,
    );
  }
  const mysql = (await importPackage(scheme, 'mysql2', () => import('mysql2'))) as unknown as MysqlModule;
  return mysqlClient(mysql, mysqlConnectionSettings(target), label);
}

/**
 * Creates the SQL driver for `postgresql[+psycopg2]://…` (pg) and `mysql[+pymysql|+mysqldb]://…`
 * (mysql2), SQLAlchemy URL forms. Does not wait for the database: the table is created in the
 * background, and a store that is down fails batches (counted) until it is back. Throws
 * BadConnectionStringError for a bad URL, DriverMissingError when pg / mysql2 is not installed.
 * @since 0.1.0
 */
export async function createSqlDriver(connectionString: string, options: DriverOptions = {}): Promise<SqlDriver> {
  const target = parseSqlUrl(connectionString);
  const scheme = String(connectionString).trim().split('://', 1)[0]!.toLowerCase();
  const label = describeSqlTarget(target);
  const client = await openClient(scheme, target, label);
  const driver = new SqlDriver(client, { ...options, scheme, label });
  driver.warmUp();
  return driver;
}
