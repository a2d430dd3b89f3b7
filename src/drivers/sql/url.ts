// Parses SQLAlchemy-style postgresql:// and mysql:// connection strings into pg / mysql2 settings.
import { BadConnectionStringError } from '../../errors.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../deadline.js';
import { badConnectionString, decodeConnectionPart } from '../driver.js';

/** The server SQL dialects the SQL driver speaks (SQLite has its own driver). */
export type SqlServerDialect = 'postgresql' | 'mysql';

/** The URL schemes Python's `get_driver` routes to its SQLAlchemy driver. */
export const SQL_SCHEMES = ['postgresql', 'postgresql+psycopg2', 'mysql', 'mysql+pymysql', 'mysql+mysqldb'] as const;

/** What an SQLAlchemy URL `dialect[+driver]://user:password@host:port/database?k=v` says. */
export interface SqlTarget {
  dialect: SqlServerDialect;
  /** The `+driver` part (`psycopg2`, `pymysql`, …), informational: pg or mysql2 is used. */
  driverName?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  /** Unix socket: `?host=/dir` (PostgreSQL) or `?unix_socket=/path` (MySQL). */
  socketPath?: string;
  /** The other query parameters, decoded. */
  query: Record<string, string>;
}

/** Settings for `new pg.Pool(…)`. */
export interface PgPoolSettings {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  ssl?: boolean | { rejectUnauthorized: boolean };
  application_name: string;
  max: number;
  connectionTimeoutMillis: number;
  idleTimeoutMillis: number;
  /** Idle pooled connections do not keep the process alive. */
  allowExitOnIdle: true;
}

/** Settings for mysql2's `createConnection(…)`. */
export interface MysqlConnectionSettings {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database: string;
  socketPath?: string;
  charset: string;
  connectTimeout: number;
  ssl?: Record<string, never>;
}

// SQLAlchemy's URL pattern: user and password end at the first ':' and the last '@' respectively.
const URL_PATTERN =
  /^([\w+]+):\/\/(?:([^:/?#]*)(?::([^/?#]*))?@)?(?:\[([^\]/?#]+)\]|([^:/?#]+))?(?::([^/?#]*))?(?:\/([^?#]*))?(?:\?([^#]*))?$/;

/**
 * Parses an SQLAlchemy URL for PostgreSQL or MySQL/MariaDB, e.g.
 * `postgresql://postgres@127.0.0.1:5432/test`, `mysql+pymysql://root:pw@db/osprofiler?charset=utf8mb4`.
 * User, password and database are percent-decoded. MySQL needs a database name (the table has
 * to live somewhere). Throws BadConnectionStringError naming what is wrong.
 * @since 0.1.0
 */
export function parseSqlUrl(connectionString: string): SqlTarget {
  const text = String(connectionString).trim();
  const m = URL_PATTERN.exec(text);
  if (m === null) throw bad(text, 'expected dialect[+driver]://user:password@host:port/database');
  const [, scheme = '', user, password, ipv6, host, port, database, query] = m;
  const [dialectName = '', driverName] = scheme.toLowerCase().split('+', 2);
  if (dialectName !== 'postgresql' && dialectName !== 'mysql') {
    throw bad(text, `the SQL driver speaks postgresql:// and mysql:// (schemes ${SQL_SCHEMES.join(', ')})`);
  }
  const target: SqlTarget = { dialect: dialectName, query: {} };
  if (driverName !== undefined && driverName !== '') target.driverName = driverName;
  if (user !== undefined && user !== '') target.user = decodeConnectionPart(user, 'SQL', text);
  if (password !== undefined) target.password = decodeConnectionPart(password, 'SQL', text);
  const hostname = ipv6 ?? (host === undefined ? undefined : decodeConnectionPart(host, 'SQL', text));
  if (hostname !== undefined && hostname !== '') target.host = hostname;
  if (port !== undefined && port !== '') {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw bad(text, `bad port "${port}"`);
    target.port = Number(port);
  }
  if (database !== undefined && database !== '') target.database = decodeConnectionPart(database, 'SQL', text);
  for (const [key, value] of new URLSearchParams(query ?? '')) target.query[key] = value;
  const socket = target.dialect === 'postgresql' ? target.query.host : target.query.unix_socket;
  if (socket !== undefined && socket !== '') target.socketPath = socket;
  if (target.dialect === 'mysql' && target.database === undefined) {
    throw bad(text, 'name the database, as in mysql://user@host/osprofiler');
  }
  return target;
}

/**
 * pg.Pool settings: a small pool (writes are one batch at a time), a connect timeout
 * (`?connect_timeout=` seconds, else `connectTimeoutMs`, default 5 s), `?sslmode=` (`disable`; `require` without and `verify-ca` /
 * `verify-full` with certificate checks), and idle connections that never hold the process.
 * @since 0.1.0
 */
export function pgPoolSettings(target: SqlTarget, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): PgPoolSettings {
  const out: PgPoolSettings = {
    application_name: target.query.application_name ?? 'osprofiler',
    max: 4,
    connectionTimeoutMillis: timeoutMs(target.query.connect_timeout) ?? connectTimeoutMs,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
  };
  const host = target.socketPath ?? target.host;
  if (host !== undefined) out.host = host;
  if (target.port !== undefined) out.port = target.port;
  if (target.user !== undefined) out.user = target.user;
  if (target.password !== undefined) out.password = target.password;
  if (target.database !== undefined) out.database = target.database;
  const sslmode = target.query.sslmode;
  if (sslmode === 'disable') out.ssl = false;
  else if (sslmode === 'require') out.ssl = { rejectUnauthorized: false };
  else if (sslmode === 'verify-ca' || sslmode === 'verify-full') out.ssl = { rejectUnauthorized: true };
  return out;
}

/**
 * mysql2 connection settings: utf8mb4 (or `?charset=`), `?unix_socket=`, a connect timeout
 * (`?connect_timeout=` seconds, else `connectTimeoutMs`, default 5 s), `?ssl=true` for TLS with the system CAs.
 * @since 0.1.0
 */
export function mysqlConnectionSettings(
  target: SqlTarget,
  connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
): MysqlConnectionSettings {
  const out: MysqlConnectionSettings = {
    database: target.database ?? '',
    // why: MySQL's "utf8" is the 3-byte subset; traces carry any text.
    charset: target.query.charset === undefined || target.query.charset === 'utf8' ? 'utf8mb4' : target.query.charset,
    connectTimeout: timeoutMs(target.query.connect_timeout) ?? connectTimeoutMs,
  };
  if (target.socketPath !== undefined) out.socketPath = target.socketPath;
  else if (target.host !== undefined) out.host = target.host;
  if (target.port !== undefined) out.port = target.port;
  if (target.user !== undefined) out.user = target.user;
  if (target.password !== undefined) out.password = target.password;
  if (target.query.ssl === 'true' || target.query.ssl === '1') out.ssl = {};
  return out;
}

/** `PostgreSQL postgres@127.0.0.1:5432/test` — for messages; never shows the password. */
export function describeSqlTarget(target: SqlTarget): string {
  const name = target.dialect === 'postgresql' ? 'PostgreSQL' : 'MySQL';
  const where =
    target.socketPath ?? `${target.host ?? 'localhost'}${target.port === undefined ? '' : `:${target.port}`}`;
  return `${name} ${target.user === undefined ? '' : `${target.user}@`}${where}/${target.database ?? ''}`;
}

function timeoutMs(value: string | undefined): number | undefined {
  const n = value === undefined ? NaN : Number(value);
  return Number.isFinite(n) && n > 0 ? Math.round(n * 1000) : undefined;
}

function bad(text: string, why: string): BadConnectionStringError {
  return badConnectionString('SQL', text, why);
}
