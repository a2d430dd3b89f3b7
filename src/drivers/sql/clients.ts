// The database client adapters of the SQL driver: pg.Pool and one mysql2 connection behind SqlClientLike.
import { debug } from '../../log.js';
import type { SqlServerDialect } from './url.js';

/** What the driver needs from a database: `?` placeholders, rows as plain objects. */
export interface SqlClientLike {
  readonly dialect: SqlServerDialect;
  /**
   * Runs one statement. With `timeoutMs`, a reply that has not come by then fails the query and
   * the connection it used is dropped (a silent server is not used again).
   */
  query(sql: string, params?: readonly unknown[], timeoutMs?: number): Promise<Record<string, unknown>[]>;
  /**
   * Optional: {@link query} with each row as an array of its values in select order. The driver
   * reads traces with it when present (no object per row).
   */
  queryArrays?(sql: string, params?: readonly unknown[], timeoutMs?: number): Promise<unknown[][]>;
  close(): Promise<void>;
}

type Row = Record<string, unknown>;

/** A pg query with pg's client-side reply timeout (`query_timeout`). */
export interface PgQueryConfig {
  text: string;
  values: unknown[];
  query_timeout?: number;
  rowMode?: 'array';
}

/** The part of a pg.Pool the driver uses. */
export interface PgPool {
  query(config: PgQueryConfig): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** A client over a pg.Pool: `?` placeholders become `$1, $2, …`. */
export function pgClient(pool: PgPool, label = 'PostgreSQL'): SqlClientLike {
  // why: an idle pooled connection that fails emits 'error' on the pool; unheard, it would crash the host.
  pool.on('error', (error) => debug('%s: idle connection error: %s', label, error?.message));
  const configOf = (sql: string, params: readonly unknown[], timeoutMs: number | undefined): PgQueryConfig => {
    let n = 0;
    const text = params.length === 0 ? sql : sql.replace(/\?/g, () => `$${++n}`);
    // why: pg fails a query whose reply is late and the pool then discards that client.
    const config: PgQueryConfig = { text, values: [...params] };
    if (timeoutMs !== undefined) config.query_timeout = timeoutMs;
    return config;
  };
  return {
    dialect: 'postgresql',
    async query(sql, params = [], timeoutMs) {
      return (await pool.query(configOf(sql, params, timeoutMs))).rows as Row[];
    },
    async queryArrays(sql, params = [], timeoutMs) {
      // why: pg's array rows skip building an object per row (measurable at 200k rows).
      const config = configOf(sql, params, timeoutMs);
      config.rowMode = 'array';
      return (await pool.query(config)).rows as unknown[][];
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
    async query(sql, params = [], timeoutMs) {
      busy++;
      applyRef();
      let timer: NodeJS.Timeout | undefined;
      try {
        const c = conn ?? (await (connecting ??= open().finally(() => (connecting = undefined))));
        return await new Promise<Row[]>((resolve, reject) => {
          if (timeoutMs !== undefined) {
            timer = setTimeout(() => {
              // why: a server that stopped answering is dropped; the next query connects again.
              if (conn === c) conn = undefined;
              c.destroy();
              reject(new Error(`no reply within ${timeoutMs} ms`));
            }, timeoutMs);
          }
          c.query(sql, [...params], (error, rows) => {
            if (error) {
              // why: after a fatal error mysql2 will not use the connection again; the next query reconnects.
              if (error.fatal && conn === c) conn = undefined;
              return reject(error);
            }
            resolve(Array.isArray(rows) ? (rows as Row[]) : []);
          });
        });
      } finally {
        clearTimeout(timer);
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
