// createNotifier: a connection string → a cached, queue-backed notifier function.
import '../drivers/builtin.js';
import { createDriver, redactConnectionString, schemeOf, type Driver, type DriverOptions } from '../drivers/driver.js';
import { logRateLimited } from '../log.js';
import type { Notification } from '../core/payload.js';
import { BatchingQueue, type NotifierStats, type QueueOptions } from './queue.js';

/** A notifier function with its queue's controls. Pass it to setNotifier(). */
export interface Notifier {
  (payload: Notification): void;
  /** The connection string it writes to (password redacted). */
  readonly connectionString: string;
  /**
   * Resolves once everything queued so far is written (or counted as failed), or once
   * `timeoutMs` (default the notifier's `flushTimeoutMs`, 10 s) has passed; what is left then
   * stays queued.
   */
  flush(options?: DeadlineOptions): Promise<void>;
  /**
   * Flushes, then closes the driver, within `timeoutMs` (default `flushTimeoutMs`, 10 s) in all:
   * what is not written by then is counted as failed. The notifier drops what it gets afterwards.
   */
  shutdown(options?: DeadlineOptions): Promise<void>;
  /** Queue counters. */
  stats(): NotifierStats;
  /** The driver, once it has started (undefined while loading or after it failed to start). */
  driver(): Driver | undefined;
}

/** How long flush() / shutdown() may take. */
export interface DeadlineOptions {
  /** Milliseconds (default: the notifier's `flushTimeoutMs`, 10000). */
  timeoutMs?: number;
}

/** Options of createNotifier: the driver's and the queue's. */
export type NotifierOptions = DriverOptions & QueueOptions;

const cache = new Map<string, Notifier>();
// why: clearNotifierCache() forgets notifiers for createNotifier, but whoever holds one still
// writes through it, so flush()/shutdown() must still reach it until it is shut down.
const live = new Set<Notifier>();

/**
 * Creates (or returns the cached) notifier for a connection string. The driver starts in the
 * background; until it is ready notifications wait in the bounded queue. A driver that cannot
 * start logs one error and the notifier drops (and counts) from then on; the service keeps running.
 * An unknown scheme is a configuration error and throws BadConnectionStringError.
 * @since 0.1.0
 */
export function createNotifier(connectionString: string, options: NotifierOptions = {}): Notifier {
  schemeOf(connectionString);
  const key = cacheKey(connectionString, options);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const redacted = redactConnectionString(connectionString);
  const queue = new BatchingQueue(redacted, options);
  let driver: Driver | undefined;
  let closed = false;
  const ready = createDriver(connectionString, options).then(
    (created) => {
      if (closed) return void created.close();
      driver = created;
      queue.attach(created);
    },
    (error: unknown) => {
      queue.fail();
      logRateLimited(
        'error',
        `start:${redacted}`,
        `osprofiler: the notifier for ${redacted} could not start, tracing to it is off: ${(error as Error)?.message ?? error}`,
      );
    },
  );
  const notifier = ((payload: Notification) => queue.push(payload)) as Notifier;
  Object.defineProperty(notifier, 'connectionString', { value: redacted });
  const drain = async (timeoutMs: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    // why: a driver still starting (connecting to a store that does not answer) counts against the deadline too.
    if (!(await settlesBy(ready, timeoutMs))) return false;
    return queue.flush(Math.max(0, deadline - Date.now()));
  };
  notifier.flush = async (options = {}) => {
    await drain(options.timeoutMs ?? queue.flushTimeoutMs);
  };
  notifier.shutdown = async (options = {}) => {
    const timeoutMs = options.timeoutMs ?? queue.flushTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    if (!(await drain(timeoutMs))) {
      const lost = queue.abandon();
      logRateLimited(
        'error',
        `shutdown:${redacted}`,
        `osprofiler: the notifier for ${redacted} stopped waiting after ${timeoutMs} ms; ${lost} notifications counted as failed`,
      );
    }
    closed = true;
    queue.fail();
    if (cache.get(key) === notifier) cache.delete(key);
    live.delete(notifier);
    const current = driver;
    driver = undefined;
    if (current !== undefined) {
      // why: closing can wait on the store too (QUIT, a final flush); it gets what is left of the deadline, at least 1 s.
      await settlesBy(
        Promise.resolve().then(() => current.close()),
        Math.max(1000, deadline - Date.now()),
      );
    }
  };
  notifier.stats = () => ({ ...queue.stats });
  notifier.driver = () => driver;
  cache.set(key, notifier);
  live.add(notifier);
  return notifier;
}

/**
 * Forgets the cached notifiers (Python's `notifier.clear_notifier_cache()`): the next
 * createNotifier() for a connection string makes a new one, with a new driver. Notifiers made
 * before keep working for whoever holds them, and flush()/shutdown() still reach them, so nothing
 * queued is lost; shut them down yourself when you no longer need them.
 * @since 0.1.0
 */
export function clearNotifierCache(): void {
  cache.clear();
}

/** Whether `work` settles (either way) within `ms`; never rejects. */
async function settlesBy(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function cacheKey(connectionString: string, options: NotifierOptions): string {
  // why: Python caches by connection string alone; project/service differ per service in one
  // process (tests, the demo), so they are part of the key too.
  return `${connectionString}\u0000${options.project ?? ''}\u0000${options.service ?? ''}`;
}

/** Every notifier created and not shut down (forgotten by clearNotifierCache or not). */
export function activeNotifiers(): Notifier[] {
  return [...live];
}
