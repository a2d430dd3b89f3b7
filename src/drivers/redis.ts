// redis:// and redissentinel:// — Python's Redis layout (osprofiler_opt:<base_id> lists) on ioredis, batched, never blocking.
import { runOutsideTrace } from '../context.js';
import { BadConnectionStringError, DriverMissingError, DriverUnavailableError } from '../errors.js';
import { debug, logRateLimited } from '../log.js';
import type { Notification } from '../payload.js';
import { ReportBuilder } from '../report/build.js';
import type { Report, StoredNotification, TraceSummary } from '../report/types.js';
import type { Driver, DriverOptions } from './driver.js';
import { earlier, storedRecord } from './records.js';
import { buildRedisOptions, describeRedisTarget, parseRedisUrl, type RedisClientOptions } from './redis-url.js';

/** List of a trace's notifications, newest first (Python ≥ 2.8). */
export const REDIS_LIST_PREFIX = 'osprofiler_opt:';
/** Legacy layout (Python < 2.8): one key `osprofiler:<base_id>_<trace_id>_<timestamp>` per notification. */
export const REDIS_LEGACY_PREFIX = 'osprofiler:';
/** `{base_id, timestamp}` of a trace with an error, written when filterErrorTrace is on. */
export const REDIS_ERROR_PREFIX = 'osprofiler_error:';

const SCAN_COUNT = 1000;
const MGET_CHUNK = 1000;
const LIST_PAGE = 10_000;
// why: listTraces reads only the oldest records of each list (its tail): a trace's start is
// written first in practice, and reading whole lists would make listing cost O(all spans).
const LIST_TAIL_WINDOW = 32;
const MAX_BACKOFF_MS = 5000;

/** The part of an ioredis pipeline the driver uses. */
export interface RedisPipelineLike {
  lpush(key: string, ...values: string[]): unknown;
  set(key: string, value: string): unknown;
  lrange(key: string, start: number, stop: number): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/** The part of an ioredis client the driver uses (tests may pass a fake). */
export interface RedisClientLike {
  readonly status: string;
  readonly stream?: { ref?(): unknown; unref?(): unknown } | undefined;
  connect(): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
  pipeline(): RedisPipelineLike;
  scan(cursor: string, ...args: (string | number)[]): Promise<[string, string[]]>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;
  mget(...keys: string[]): Promise<(string | null)[]>;
  on(event: string, listener: (...args: never[]) => void): unknown;
}

/** The ioredis default export, as the driver calls it. */
export type RedisConstructor = new (options: RedisClientOptions) => RedisClientLike;

/** Options of {@link RedisDriver}: every driver's, plus the scheme and a label for messages. */
export interface RedisDriverOptions extends DriverOptions {
  scheme?: string;
  label?: string;
}

/** Counters of one driver. */
export interface RedisDriverStats {
  /** Notifications that could not be encoded (circular info, bigint) and were left out. */
  unwritable: number;
  /** Stored records that were not JSON objects and were skipped while reading. */
  skipped: number;
}

/**
 * The Redis store, in the Python driver's layout so each reads what the other writes: every
 * notification (with project/service) as JSON, LPUSHed on `osprofiler_opt:<base_id>`; one
 * pipeline per batch; `osprofiler_error:<base_id>` when filterErrorTrace and `info.etype`.
 * Reads also understand the legacy one-key-per-notification layout. The client is created with
 * no offline queue and no automatic retries: while Redis is down a batch fails at once (the
 * notifier counts it) and the next batch reconnects, with a backoff of up to 5 s. The idle
 * connection does not keep the process alive. All I/O runs outside any trace context.
 * @since 0.1.0
 */
export class RedisDriver implements Driver {
  readonly scheme: string;
  readonly stats: RedisDriverStats = { unwritable: 0, skipped: 0 };
  readonly #client: RedisClientLike;
  readonly #options: RedisDriverOptions;
  readonly #label: string;
  #connecting: Promise<void> | undefined;
  #retryAt = 0;
  #backoffMs = 0;
  #lastError: Error | undefined;
  #busy = 0;
  #closed = false;

  constructor(client: RedisClientLike, options: RedisDriverOptions = {}) {
    this.#client = client;
    this.#options = options;
    this.scheme = options.scheme ?? 'redis';
    this.#label = options.label ?? 'Redis';
    client.on('error', (error: Error) => {
      this.#lastError = error;
      debug('%s: %s', this.#label, error?.message);
    });
    client.on('ready', () => this.#applyRef());
  }

  /** Starts connecting in the background (failures surface when a batch is written). */
  warmUp(): void {
    this.#run(async () => {}).catch(() => {});
  }

  /** Stores a batch: one pipeline with one LPUSH per trace (and the error markers). */
  async notifyBatch(batch: readonly Notification[]): Promise<void> {
    const lists = new Map<string, string[]>();
    const errors = new Map<string, string>();
    for (const payload of batch) {
      const record = storedRecord(payload, this.#options);
      let json: string;
      try {
        json = JSON.stringify(record);
      } catch (error) {
        this.stats.unwritable++;
        logRateLimited(
          'warn',
          `redis-encode:${this.#label}`,
          `osprofiler: a notification could not be stored: ${(error as Error)?.message}`,
        );
        continue;
      }
      const key = REDIS_LIST_PREFIX + record.base_id;
      const values = lists.get(key);
      if (values === undefined) lists.set(key, [json]);
      else values.push(json);
      const etype = (record.info as { etype?: unknown } | undefined)?.etype;
      // why: Python writes the marker when `info.etype is not None`; later errors overwrite it.
      if (this.#options.filterErrorTrace && etype !== undefined && etype !== null) {
        errors.set(REDIS_ERROR_PREFIX + record.base_id, errorMarker(record));
      }
    }
    if (lists.size === 0) return;
    await this.#run(async (client) => {
      const pipeline = client.pipeline();
      // LPUSH k v1 v2 … leaves the list as successive LPUSHes would: newest at index 0.
      for (const [key, values] of lists) pipeline.lpush(key, ...values);
      for (const [key, value] of errors) pipeline.set(key, value);
      const results = await pipeline.exec();
      const failed = results === null ? new Error('the pipeline was discarded') : results.find(([error]) => error)?.[0];
      if (failed) throw new DriverUnavailableError(`${this.#label}: ${failed.message}`, failed);
    });
  }

  /** The report of one trace: legacy keys (oldest first), then the list in LRANGE order (newest first), as Python feeds them. */
  async getReport(baseId: string): Promise<Report> {
    return this.#run(async (client) => {
      const id = String(baseId);
      const [legacy, pages] = await Promise.all([
        this.#legacyRecords(client, `${REDIS_LEGACY_PREFIX}${escapeGlob(id)}_*`),
        this.#listPages(client, REDIS_LIST_PREFIX + id),
      ]);
      const builder = new ReportBuilder();
      for (const record of legacy) builder.add(record);
      // pages were read from the tail; fed head first, each in LRANGE order: newest first overall
      for (let i = pages.length - 1; i >= 0; i--) for (const record of pages[i]!) builder.add(record);
      return builder.build();
    });
  }

  /**
   * One entry per trace, by its earliest record (Python 3.4.3 takes the second newest and fails
   * on one-record lists): the earliest of the oldest 32 records of each list, and of the legacy
   * keys (whose names carry the timestamp). SCAN in batches, never KEYS. Oldest trace first.
   */
  async listTraces(fields: readonly string[] = ['base_id', 'timestamp']): Promise<TraceSummary[]> {
    return this.#run(async (client) => {
      const best = new Map<string, Candidate>();
      for await (const keys of scanKeys(client, `${REDIS_LIST_PREFIX}*`)) {
        const pipeline = client.pipeline();
        for (const key of keys) pipeline.lrange(key, -LIST_TAIL_WINDOW, -1);
        const results = (await pipeline.exec()) ?? [];
        results.forEach(([error, texts], i) => {
          // why: a key that vanished or is not a list (someone else's data) is skipped, not fatal.
          if (error || !Array.isArray(texts)) return;
          const id = keys[i]!.slice(REDIS_LIST_PREFIX.length);
          for (const text of texts) {
            const record = this.#parse(String(text));
            if (record !== undefined) offer(best, id, { timestamp: record.timestamp, record });
          }
        });
      }
      const unnamed: string[] = [];
      for await (const keys of scanKeys(client, `${REDIS_LEGACY_PREFIX}*`)) {
        for (const key of keys) {
          const parsed = parseLegacyKey(key);
          if (parsed === undefined) unnamed.push(key);
          else offer(best, parsed.baseId, { timestamp: parsed.timestamp, legacyKey: key });
        }
      }
      for (const record of await this.#getJson(client, unnamed))
        offer(best, String(record.base_id), { timestamp: record.timestamp, record });
      if (fields.some((f) => f !== 'base_id' && f !== 'timestamp')) await this.#fillLegacy(client, best);
      return [...best.entries()].sort(byTimestamp).map(([id, c]) => project(id, c, fields));
    });
  }

  /** The `osprofiler_error:*` markers, oldest first, one per trace (written only with filterErrorTrace). */
  async listErrorTraces(): Promise<TraceSummary[]> {
    return this.#run(async (client) => {
      const best = new Map<string, Candidate>();
      for await (const keys of scanKeys(client, `${REDIS_ERROR_PREFIX}*`)) {
        for (const record of await this.#getJson(client, keys)) {
          offer(best, String(record.base_id ?? ''), { timestamp: record.timestamp, record });
        }
      }
      return [...best.entries()].sort(byTimestamp).map(([, c]) => ({ ...c.record }) as TraceSummary);
    });
  }

  describe(): string {
    return this.#label;
  }

  /** Sends QUIT after what is in flight (or drops the connection when it is not up). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const client = this.#client;
    if (client.status !== 'ready') return client.disconnect();
    try {
      await client.quit();
    } catch {
      client.disconnect();
    }
  }

  // ---- internals ----

  /** Runs one operation outside any trace, on a connected client, keeping the process alive meanwhile. */
  #run<T>(op: (client: RedisClientLike) => Promise<T>): Promise<T> {
    return runOutsideTrace(async () => {
      this.#busy++;
      this.#applyRef();
      try {
        return await op(await this.#ready());
      } finally {
        this.#busy--;
        this.#applyRef();
      }
    });
  }

  async #ready(): Promise<RedisClientLike> {
    const client = this.#client;
    if (this.#closed) throw new DriverUnavailableError(`${this.#label}: the driver is closed.`);
    if (client.status === 'ready') return client;
    if (this.#connecting === undefined) {
      const wait = this.#retryAt - Date.now();
      if (wait > 0) throw this.#unavailable(`next attempt in ${wait} ms`);
      this.#connecting = this.#connect().finally(() => (this.#connecting = undefined));
    }
    await this.#connecting;
    return client;
  }

  async #connect(): Promise<void> {
    try {
      this.#lastError = undefined;
      await this.#client.connect();
      this.#backoffMs = 0;
      this.#retryAt = 0;
    } catch (error) {
      this.#backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(100, this.#backoffMs * 2));
      this.#retryAt = Date.now() + this.#backoffMs;
      this.#lastError ??= error as Error;
      throw this.#unavailable(`next attempt in ${this.#backoffMs} ms`);
    }
  }

  #unavailable(retry: string): DriverUnavailableError {
    const why = this.#lastError?.message ?? 'not connected';
    return new DriverUnavailableError(`${this.#label} is unreachable (${why}); ${retry}.`, this.#lastError);
  }

  #applyRef(): void {
    // why: an idle connection must not keep a finished host process alive; one in use must.
    const stream = this.#client.stream;
    if (this.#busy > 0) stream?.ref?.();
    else stream?.unref?.();
  }

  #parse(text: string | null | undefined): StoredNotification | undefined {
    if (text === null || text === undefined) return undefined;
    try {
      const value: unknown = JSON.parse(text);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as StoredNotification;
    } catch {
      // counted below
    }
    this.stats.skipped++;
    return undefined;
  }

  /**
   * A whole list in pages of 10,000 read from the tail (negative indexes do not move when
   * writers LPUSH meanwhile), the next page requested before the current one is parsed.
   */
  async #listPages(client: RedisClientLike, key: string): Promise<StoredNotification[][]> {
    const pages: StoredNotification[][] = [];
    let end = -1;
    let next = client.lrange(key, end - LIST_PAGE + 1, end);
    for (;;) {
      const texts = await next;
      end -= LIST_PAGE;
      if (texts.length === LIST_PAGE) next = client.lrange(key, end - LIST_PAGE + 1, end);
      const page: StoredNotification[] = [];
      for (const text of texts) {
        const record = this.#parse(text);
        if (record !== undefined) page.push(record);
      }
      pages.push(page);
      if (texts.length < LIST_PAGE) return pages;
    }
  }

  /** GETs keys in MGET chunks; vanished keys and non-JSON values are left out. */
  async #getJson(client: RedisClientLike, keys: readonly string[]): Promise<StoredNotification[]> {
    const out: StoredNotification[] = [];
    for (let i = 0; i < keys.length; i += MGET_CHUNK) {
      for (const text of await client.mget(...keys.slice(i, i + MGET_CHUNK))) {
        const record = this.#parse(text);
        if (record !== undefined) out.push(record);
      }
    }
    return out;
  }

  async #legacyRecords(client: RedisClientLike, pattern: string): Promise<StoredNotification[]> {
    const keys = new Set<string>();
    for await (const batch of scanKeys(client, pattern)) for (const key of batch) keys.add(key);
    const records = await this.#getJson(client, [...keys]);
    // why: Python reads them in SCAN order, which is random; timestamp order is stable and natural.
    return records.sort((a, b) => (earlier(a.timestamp, b.timestamp) ? -1 : earlier(b.timestamp, a.timestamp) ? 1 : 0));
  }

  async #fillLegacy(client: RedisClientLike, best: Map<string, Candidate>): Promise<void> {
    const pending = [...best.values()].filter((c) => c.record === undefined && c.legacyKey !== undefined);
    for (let i = 0; i < pending.length; i += MGET_CHUNK) {
      const chunk = pending.slice(i, i + MGET_CHUNK);
      const texts = await client.mget(...chunk.map((c) => c.legacyKey!));
      texts.forEach((text, j) => {
        if (text !== null) chunk[j]!.record = this.#parse(text);
      });
    }
  }
}

interface Candidate {
  timestamp: string;
  record?: StoredNotification | undefined;
  legacyKey?: string;
}

function offer(best: Map<string, Candidate>, id: string, candidate: Candidate): void {
  if (typeof candidate.timestamp !== 'string') return;
  const current = best.get(id);
  if (current === undefined || earlier(candidate.timestamp, current.timestamp)) best.set(id, candidate);
}

function byTimestamp([aId, a]: [string, Candidate], [bId, b]: [string, Candidate]): number {
  if (earlier(a.timestamp, b.timestamp)) return -1;
  if (earlier(b.timestamp, a.timestamp)) return 1;
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}

function project(id: string, candidate: Candidate, fields: readonly string[]): TraceSummary {
  const out: Record<string, unknown> = {};
  const record = candidate.record as Record<string, unknown> | undefined;
  for (const field of fields) {
    if (field === 'base_id') out.base_id = id;
    else if (field === 'timestamp') out.timestamp = candidate.timestamp;
    else if (record !== undefined && Object.hasOwn(record, field)) out[field] = record[field];
  }
  out.base_id ??= id;
  return out as TraceSummary;
}

function errorMarker(record: Notification): string {
  // why: the exact text Python's json.dumps writes for {base_id, timestamp} (ASCII ids).
  return `{"base_id": ${JSON.stringify(record.base_id)}, "timestamp": ${JSON.stringify(record.timestamp)}}`;
}

/** Splits a legacy key `osprofiler:<base_id>_<trace_id>_<timestamp>`; undefined when it is not one. */
export function parseLegacyKey(key: string): { baseId: string; traceId: string; timestamp: string } | undefined {
  if (!key.startsWith(REDIS_LEGACY_PREFIX)) return undefined;
  const rest = key.slice(REDIS_LEGACY_PREFIX.length);
  const first = rest.indexOf('_');
  const last = rest.lastIndexOf('_');
  if (first <= 0 || last <= first) return undefined;
  const timestamp = rest.slice(last + 1);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/.test(timestamp)) return undefined;
  return { baseId: rest.slice(0, first), traceId: rest.slice(first + 1, last), timestamp };
}

/** SCAN with MATCH in batches of about 1000 keys (never KEYS, which blocks the server). */
async function* scanKeys(client: RedisClientLike, pattern: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
    cursor = String(next);
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * Loads ioredis (an optional peer dependency); DriverMissingError naming the package when it is
 * not installed. `load` exists for tests.
 * @since 0.1.0
 */
export async function importIoredis(
  scheme = 'redis',
  load: () => Promise<unknown> = () => import('ioredis'),
): Promise<RedisConstructor> {
  let mod: unknown;
  try {
    mod = await load();
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new DriverMissingError(scheme, 'ioredis', error);
    throw error;
  }
  const m = mod as { default?: unknown; Redis?: unknown };
  const ctor = typeof m.default === 'function' ? m.default : m.Redis;
  if (typeof ctor !== 'function') throw new DriverMissingError(scheme, 'ioredis');
  return ctor as RedisConstructor;
}

async function openRedis(
  scheme: 'redis' | 'redissentinel',
  connectionString: string,
  options: DriverOptions,
): Promise<RedisDriver> {
  const target = parseRedisUrl(connectionString);
  if ((target.kind === 'sentinel') !== (scheme === 'redissentinel')) {
    throw new BadConnectionStringError(
      `The ${scheme}:// driver cannot open "${connectionString.split('://')[0]}://" connection strings.`,
    );
  }
  const Redis = await importIoredis(scheme);
  const client = runOutsideTrace(() => new Redis(buildRedisOptions(target, options)));
  const driver = new RedisDriver(client, { ...options, scheme, label: describeRedisTarget(target, options) });
  driver.warmUp();
  return driver;
}

/**
 * Creates the driver for `redis://[[user]:password@]host[:port][/db]` (and `rediss://`). Does
 * not wait for the connection: a store that is down fails batches (counted) until it is back.
 * @since 0.1.0
 */
export function createRedisDriver(connectionString: string, options: DriverOptions = {}): Promise<RedisDriver> {
  return openRedis('redis', connectionString, options);
}

/**
 * Creates the driver for `redissentinel://[:password@]host:port[,host2:port2…]`: master
 * `sentinelServiceName` (default `mymaster`), timeouts `socketTimeoutMs` (default 100 ms).
 * @since 0.1.0
 */
export function createRedisSentinelDriver(connectionString: string, options: DriverOptions = {}): Promise<RedisDriver> {
  return openRedis('redissentinel', connectionString, options);
}
