// redis:// and redissentinel:// — Python's Redis layout (osprofiler_opt:<base_id> lists) on ioredis, batched, never blocking.
import { runOutsideTrace } from '../../core/context.js';
import { BadConnectionStringError, DriverUnavailableError } from '../../errors.js';
import { logRateLimited } from '../../log.js';
import type { Notification } from '../../core/payload.js';
import type { Report, TraceSummary } from '../../report/types.js';
import type { Driver, TraceReader, DriverOptions } from '../driver.js';
import { deadlinesOf, type Deadlines } from '../deadline.js';
import { storedRecord } from '../records.js';
import { importIoredis, RedisConnection, type RedisClientLike } from './client.js';
import { REDIS_ERROR_PREFIX, REDIS_LIST_PREFIX, RedisReader } from './read.js';
import { buildRedisOptions, describeRedisTarget, parseRedisUrl } from './url.js';

export { importIoredis, type RedisClientLike, type RedisConstructor, type RedisPipelineLike } from './client.js';
export { parseLegacyKey, REDIS_ERROR_PREFIX, REDIS_LEGACY_PREFIX, REDIS_LIST_PREFIX } from './read.js';

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
 * notifier counts it) and the next batch reconnects, with a backoff of up to 1 s. The idle
 * connection does not keep the process alive. All I/O runs outside any trace context.
 * @since 0.1.0
 */
export class RedisDriver implements Driver, TraceReader {
  /** This store can be read back (trace show, trace list, ui). */
  readonly reader: TraceReader = this;
  readonly scheme: string;
  readonly stats: RedisDriverStats = { unwritable: 0, skipped: 0 };
  readonly #options: RedisDriverOptions;
  readonly #label: string;
  readonly #connection: RedisConnection;
  readonly #reader: RedisReader;
  readonly #deadlines: Deadlines;

  constructor(client: RedisClientLike, options: RedisDriverOptions = {}) {
    this.#options = options;
    this.scheme = options.scheme ?? 'redis';
    this.#label = options.label ?? 'Redis';
    this.#deadlines = deadlinesOf(options);
    this.#connection = new RedisConnection(client, this.#label, this.#deadlines.connectMs);
    this.#reader = new RedisReader(this.stats);
  }

  /** Starts connecting in the background (failures surface when a batch is written). */
  warmUp(): void {
    this.connect().catch(() => {});
  }

  /** Connects (the ready check included) within `connectTimeoutMs`, or rejects saying why. */
  async connect(): Promise<void> {
    await this.#connection.run(async () => {}, this.#deadlines.connectMs, 'connect');
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
    await this.#connection.run(
      async (client) => {
        const pipeline = client.pipeline();
        // LPUSH k v1 v2 … leaves the list as successive LPUSHes would: newest at index 0.
        for (const [key, values] of lists) pipeline.lpush(key, ...values);
        for (const [key, value] of errors) pipeline.set(key, value);
        const results = await pipeline.exec();
        const failed =
          results === null ? new Error('the pipeline was discarded') : results.find(([error]) => error)?.[0];
        if (failed) throw new DriverUnavailableError(`${this.#label}: ${failed.message}`, failed);
      },
      this.#deadlines.writeMs,
      `writing ${batch.length} notifications`,
    );
  }

  /** The report of one trace: legacy keys (oldest first), then the list in LRANGE order (newest first), as Python feeds them. */
  async getReport(baseId: string): Promise<Report> {
    return this.#connection.run(
      (client) => this.#reader.report(client, baseId),
      this.#deadlines.readMs,
      'read a trace',
    );
  }

  /**
   * One entry per trace, by its earliest record (Python 3.4.3 takes the second newest and fails
   * on one-record lists): the earliest of the oldest 32 records of each list, and of the legacy
   * keys (whose names carry the timestamp). SCAN in batches, never KEYS. Oldest trace first.
   */
  async listTraces(fields: readonly string[] = ['base_id', 'timestamp']): Promise<TraceSummary[]> {
    return this.#connection.run((client) => this.#reader.traces(client, fields), this.#deadlines.readMs, 'list traces');
  }

  /** The `osprofiler_error:*` markers, oldest first, one per trace (written only with filterErrorTrace). */
  async listErrorTraces(): Promise<TraceSummary[]> {
    return this.#connection.run(
      (client) => this.#reader.errorTraces(client),
      this.#deadlines.readMs,
      'list error traces',
    );
  }

  describe(): string {
    return this.#label;
  }

  /** Sends QUIT after what is in flight (or drops the connection when it is not up). Idempotent. */
  async close(): Promise<void> {
    return this.#connection.close();
  }
}

function errorMarker(record: Notification): string {
  // why: the exact text Python's json.dumps writes for {base_id, timestamp} (ASCII ids).
  return `{"base_id": ${JSON.stringify(record.base_id)}, "timestamp": ${JSON.stringify(record.timestamp)}}`;
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
