// postgresql:// and mysql:// — Python's SQLAlchemy table `data` on pg / mysql2: multi-row INSERTs, never blocking.
import { runOutsideTrace } from '../../core/context.js';
import { DriverMissingError } from '../../errors.js';
import type { DriverOptions } from '../driver.js';
import { deadlinesOf } from '../deadline.js';
import { mysqlClient, pgClient, type MysqlModule, type PgPool, type SqlClientLike } from './clients.js';
import { SqlDriver } from './driver.js';
import { describeSqlTarget, mysqlConnectionSettings, parseSqlUrl, pgPoolSettings, type SqlTarget } from './url.js';

export { mysqlClient, pgClient, type MysqlModule, type SqlClientLike } from './clients.js';
export { SqlDriver, type SqlDriverOptions, type SqlDriverStats } from './driver.js';

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

async function openClient(
  scheme: string,
  target: SqlTarget,
  label: string,
  connectTimeoutMs: number,
): Promise<SqlClientLike> {
  if (target.dialect === 'postgresql') {
    const pg = await importPackage(scheme, 'pg', () => import('pg'));
    const Pool = pg.Pool as new (settings: object) => PgPool;
    return pgClient(
      runOutsideTrace(() => new Pool(pgPoolSettings(target, connectTimeoutMs))),
      label,
    );
  }
  const mysql = (await importPackage(scheme, 'mysql2', () => import('mysql2'))) as unknown as MysqlModule;
  return mysqlClient(mysql, mysqlConnectionSettings(target, connectTimeoutMs), label);
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
  const client = await openClient(scheme, target, label, deadlinesOf(options).connectMs);
  const driver = new SqlDriver(client, { ...options, scheme, label });
  driver.warmUp();
  return driver;
}
