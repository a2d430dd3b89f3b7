// postgresql:// and mysql:// — Python's SQLAlchemy table `data` on pg / mysql2: multi-row INSERTs, never blocking.
import { runOutsideTrace } from '../../core/context.js';
import type { DriverOptions } from '../driver.js';
import { loadPeer, peerExport } from '../load-peer.js';
import { deadlinesOf } from '../deadline.js';
import { mysqlClient, pgClient, type MysqlModule, type PgPool, type SqlClientLike } from './clients.js';
import { SqlDriver } from './driver.js';
import { describeSqlTarget, mysqlConnectionSettings, parseSqlUrl, pgPoolSettings, type SqlTarget } from './url.js';

export { mysqlClient, pgClient, type MysqlModule, type SqlClientLike } from './clients.js';
export { SqlDriver, type SqlDriverOptions, type SqlDriverStats } from './driver.js';

async function openClient(
  scheme: string,
  target: SqlTarget,
  label: string,
  connectTimeoutMs: number,
): Promise<SqlClientLike> {
  if (target.dialect === 'postgresql') {
    const pg = await loadPeer(scheme, 'pg', () => import('pg'));
    const Pool = peerExport<new (settings: object) => PgPool>(pg, scheme, 'pg', 'Pool');
    return pgClient(
      runOutsideTrace(() => new Pool(pgPoolSettings(target, connectTimeoutMs))),
      label,
    );
  }
  const mysql2 = await loadPeer(scheme, 'mysql2', () => import('mysql2'));
  const mysql = (mysql2.default ?? mysql2) as unknown as MysqlModule;
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
