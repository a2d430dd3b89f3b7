// Parses redis://, rediss:// and redissentinel:// connection strings and builds the ioredis options.
import { BadConnectionStringError } from '../../errors.js';
import { badConnectionString, decodeConnectionPart, type DriverOptions } from '../driver.js';
import { deadlinesOf } from '../deadline.js';

/** One `host:port` address. */
export interface RedisEndpoint {
  host: string;
  port: number;
}

/** What a Redis connection string says, in the terms redis-py's `from_url` uses. */
export interface RedisTarget {
  /** `standalone` for redis:// and rediss://, `sentinel` for redissentinel://. */
  kind: 'standalone' | 'sentinel';
  /** The server (standalone) or the sentinels, in the order given. */
  endpoints: RedisEndpoint[];
  /** Database index (path `/N` or `?db=N`; the query wins, as in redis-py). */
  db: number;
  username?: string;
  password?: string;
  /** rediss:// (TLS). */
  tls: boolean;
  /** `?socket_timeout=` in seconds, as milliseconds (redis-py URL option). */
  socketTimeoutMs?: number;
  /** `?socket_connect_timeout=` in seconds, as milliseconds. */
  connectTimeoutMs?: number;
}

/**
 * The ioredis constructor options the driver uses: a plain object, so this module needs no
 * ioredis types (the package is an optional peer dependency).
 */
export interface RedisClientOptions {
  host?: string;
  port?: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
  /** Sentinel mode: the sentinels and the master's name. */
  sentinels?: RedisEndpoint[];
  name?: string;
  sentinelCommandTimeout?: number;
  /** Sentinel mode: give up when no sentinel answers (ioredis would retry forever). */
  sentinelRetryStrategy?: () => null;
  connectTimeout: number;
  /** Destroys a connection that sends nothing back for this long while commands wait. */
  socketTimeout: number;
  lazyConnect: true;
  enableOfflineQueue: false;
  maxRetriesPerRequest: 0;
  autoResendUnfulfilledCommands: false;
  retryStrategy: () => null;
  connectionName: string;
}

const DEFAULT_REDIS_PORT = 6379;
const DEFAULT_SENTINEL_PORT = 26379;
/** Python's `[profiler] socket_timeout` default (0.1 s), used by redissentinel://. */
export const DEFAULT_SENTINEL_TIMEOUT_MS = 100;
/** Python's `[profiler] sentinel_service_name` default. */
export const DEFAULT_SENTINEL_SERVICE_NAME = 'mymaster';
// why: redis-py sets no timeout for redis:// at all; we bound connects (connectTimeoutMs) and
// stalled replies so a wedged server cannot hold the notifier's single in-flight batch forever.
const DEFAULT_SOCKET_TIMEOUT_MS = 10_000;

/**
 * Parses `redis://[[user]:password@]host[:port][/db][?db=N&socket_timeout=S]`, the same with
 * `rediss://` (TLS), and `redissentinel://[:password@]host:port[,host2:port2…][/db]`. Only the
 * first sentinel form (one address) is Python's; a list of sentinels and `/db` are ours.
 * Missing host → localhost; missing port → 6379 (26379 for sentinels); a path that is not a
 * number is ignored (redis-py does the same). Throws BadConnectionStringError for other
 * schemes, bad ports and bad `db` values.
 * @since 0.1.0
 */
export function parseRedisUrl(connectionString: string): RedisTarget {
  const text = String(connectionString).trim();
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i.exec(text);
  const scheme = match?.[1]?.toLowerCase();
  if (match === null || (scheme !== 'redis' && scheme !== 'rediss' && scheme !== 'redissentinel')) {
    throw bad(text, 'expected redis://host:port/db, rediss://… or redissentinel://host:port');
  }
  const [, , authority = '', path = '', query = ''] = match;
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : '';
  const hostlist = at >= 0 ? authority.slice(at + 1) : authority;
  const kind = scheme === 'redissentinel' ? 'sentinel' : 'standalone';
  const defaultPort = kind === 'sentinel' ? DEFAULT_SENTINEL_PORT : DEFAULT_REDIS_PORT;

  const parts = hostlist === '' ? [''] : hostlist.split(',');
  if (kind === 'standalone' && parts.length > 1) throw bad(text, 'only redissentinel:// takes several hosts');
  const endpoints = parts.map((part) => parseEndpoint(part, defaultPort, text));

  const target: RedisTarget = { kind, endpoints, db: 0, tls: scheme === 'rediss' };
  if (userinfo !== '') {
    const colon = userinfo.indexOf(':');
    const user = decodeConnectionPart(colon >= 0 ? userinfo.slice(0, colon) : userinfo, 'Redis', text);
    const password = colon >= 0 ? decodeConnectionPart(userinfo.slice(colon + 1), 'Redis', text) : '';
    // why: redis-py drops empty values, so `redis://:secret@h` means "no user, password secret".
    if (user !== '') target.username = user;
    if (password !== '') target.password = password;
  }

  const params = new URLSearchParams(query);
  const dbParam = params.get('db');
  if (dbParam !== null && dbParam !== '') target.db = parseDb(dbParam, text);
  else {
    const dbPath = decodeConnectionPart(path, 'Redis', text).replaceAll('/', '');
    // why: redis-py ignores a path that is not an integer instead of failing.
    if (/^\d+$/.test(dbPath)) target.db = Number(dbPath);
  }
  const socketTimeout = seconds(params.get('socket_timeout'), 'socket_timeout', text);
  if (socketTimeout !== undefined) target.socketTimeoutMs = socketTimeout;
  const connectTimeout = seconds(params.get('socket_connect_timeout'), 'socket_connect_timeout', text);
  if (connectTimeout !== undefined) target.connectTimeoutMs = connectTimeout;
  return target;
}

/**
 * The ioredis options for a parsed target. The client never queues offline, never retries on its
 * own and never resends: the driver reconnects on demand, so a write while Redis is down fails at
 * once (the notifier counts it) instead of piling up in ioredis. Sentinel mode follows Python:
 * master `sentinelServiceName` (default `mymaster`), `socketTimeoutMs` (default 100 ms) for
 * connects, sentinel queries and stalled replies; the URL password authenticates to the master.
 * @since 0.1.0
 */
export function buildRedisOptions(target: RedisTarget, options: DriverOptions = {}): RedisClientOptions {
  const common = {
    db: target.db,
    lazyConnect: true as const,
    enableOfflineQueue: false as const,
    maxRetriesPerRequest: 0 as const,
    autoResendUnfulfilledCommands: false as const,
    retryStrategy: () => null,
    connectionName: 'osprofiler',
  };
  const out: RedisClientOptions =
    target.kind === 'sentinel'
      ? (() => {
          const timeout = positive(options.socketTimeoutMs) ?? target.socketTimeoutMs ?? DEFAULT_SENTINEL_TIMEOUT_MS;
          const name =
            typeof options.sentinelServiceName === 'string' && options.sentinelServiceName !== ''
              ? options.sentinelServiceName
              : DEFAULT_SENTINEL_SERVICE_NAME;
          return {
            ...common,
            sentinels: target.endpoints.map((e) => ({ ...e })),
            name,
            sentinelCommandTimeout: timeout,
            sentinelRetryStrategy: () => null,
            connectTimeout: target.connectTimeoutMs ?? timeout,
            socketTimeout: timeout,
          };
        })()
      : {
          ...common,
          host: target.endpoints[0]!.host,
          port: target.endpoints[0]!.port,
          connectTimeout: target.connectTimeoutMs ?? target.socketTimeoutMs ?? deadlinesOf(options).connectMs,
          socketTimeout: target.socketTimeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS,
        };
  if (target.username !== undefined) out.username = target.username;
  if (target.password !== undefined) out.password = target.password;
  if (target.tls) out.tls = {};
  return out;
}

/** `host:port` list of a target, for messages (`127.0.0.1:6379/5`, `sentinel s1:26379,s2:26379`). */
export function describeRedisTarget(target: RedisTarget, options: DriverOptions = {}): string {
  const hosts = target.endpoints
    .map((e) => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`))
    .join(',');
  if (target.kind === 'standalone') return `Redis ${target.tls ? '(TLS) ' : ''}${hosts}/${target.db}`;
  const name = options.sentinelServiceName || DEFAULT_SENTINEL_SERVICE_NAME;
  return `Redis master "${name}" via sentinel ${hosts} (db ${target.db})`;
}

function parseEndpoint(part: string, defaultPort: number, text: string): RedisEndpoint {
  let host: string;
  let portText: string | undefined;
  if (part.startsWith('[')) {
    const close = part.indexOf(']');
    if (close < 0) throw bad(text, `unclosed IPv6 address "${part}"`);
    host = part.slice(1, close);
    const rest = part.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw bad(text, `unexpected "${rest}" after the IPv6 address`);
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = part.lastIndexOf(':');
    host = colon >= 0 ? part.slice(0, colon) : part;
    portText = colon >= 0 ? part.slice(colon + 1) : undefined;
  }
  host = decodeConnectionPart(host, 'Redis', text);
  if (host === '') host = 'localhost';
  let port = defaultPort;
  if (portText !== undefined && portText !== '') {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw bad(text, `bad port "${portText}"`);
    port = Number(portText);
  }
  return { host, port };
}

function parseDb(value: string, text: string): number {
  if (!/^\d+$/.test(value.trim())) throw bad(text, `db must be a number, got "${value}"`);
  return Number(value.trim());
}

function seconds(value: string | null, name: string, text: string): number | undefined {
  if (value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw bad(text, `${name} must be a positive number of seconds, got "${value}"`);
  return Math.max(1, Math.round(n * 1000));
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function bad(text: string, why: string): BadConnectionStringError {
  return badConnectionString('Redis', text, why);
}
