// The ioredis client the Redis driver uses: its shape, loading it, and the connection lifecycle (connect, backoff, ref).
import { loadPeer, peerExport } from '../load-peer.js';
import { runOutsideTrace } from '../../core/context.js';
import { DriverUnavailableError } from '../../errors.js';
import { debug } from '../../log.js';
import { withDeadline } from '../deadline.js';
import type { RedisClientOptions } from './url.js';

// why: a store back from an outage is written again within about a second; one connect attempt a second costs nothing.
const MAX_BACKOFF_MS = 1000;

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
  readonly stream?: { ref?(): unknown; unref?(): unknown; readonly destroyed?: boolean } | undefined;
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

/**
 * Loads ioredis (an optional peer dependency); DriverMissingError naming the package when it is
 * not installed. `load` exists for tests.
 * @since 0.1.0
 */
export async function importIoredis(
  scheme = 'redis',
  load: () => Promise<unknown> = () => import('ioredis'),
): Promise<RedisConstructor> {
  const mod = await loadPeer(scheme, 'ioredis', load);
  // why: ioredis's CommonJS export is the constructor itself; its ESM build also names it Redis.
  return peerExport<RedisConstructor>(mod, scheme, 'ioredis', typeof mod.default === 'function' ? undefined : 'Redis');
}

/**
 * One client's connection as the driver manages it: the client has no offline queue and no
 * automatic retries, so an operation on a client that is down connects first, and a failed
 * attempt makes the next ones fail at once until a backoff (doubling, up to 1 s) has passed.
 * Connecting (the ready check included) has `connectTimeoutMs`, each operation its own
 * deadline; one that passes drops the connection, so a server that went silent is left.
 * The idle connection does not keep the process alive.
 */
export class RedisConnection {
  readonly #client: RedisClientLike;
  readonly #label: string;
  #connecting: Promise<void> | undefined;
  #retryAt = 0;
  #backoffMs = 0;
  #lastError: Error | undefined;
  #busy = 0;
  #closed = false;

  readonly #connectTimeoutMs: number;

  constructor(client: RedisClientLike, label: string, connectTimeoutMs: number) {
    this.#client = client;
    this.#label = label;
    this.#connectTimeoutMs = connectTimeoutMs;
    client.on('error', (error: Error) => {
      this.#lastError = error;
      debug('%s: %s', this.#label, error?.message);
    });
    client.on('ready', () => this.#applyRef());
  }

  /**
   * Runs one operation outside any trace, on a connected client, keeping the process alive
   * meanwhile. Past `timeoutMs` (connecting not included) it rejects and the connection is dropped.
   */
  run<T>(op: (client: RedisClientLike) => Promise<T>, timeoutMs: number, what: string): Promise<T> {
    return runOutsideTrace(async () => {
      this.#busy++;
      this.#applyRef();
      try {
        const client = await this.#ready();
        return await withDeadline(op(client), timeoutMs, this.#label, what, () => client.disconnect());
      } finally {
        this.#busy--;
        this.#applyRef();
      }
    });
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
      const client = this.#client;
      await withDeadline(client.connect(), this.#connectTimeoutMs, this.#label, 'connect', () => client.disconnect());
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
    // why: ioredis keeps the last socket after it closed; ref()/unref() on a socket without a
    // handle adds a 'connect' listener each time, so an outage would pile them up (and warn).
    if (stream === undefined || stream.destroyed === true) return;
    if (this.#busy > 0) stream.ref?.();
    else stream.unref?.();
  }
}
