// Time limits of a driver's I/O: the connect, write and read deadlines, their defaults, and the race that enforces them.
import { DriverUnavailableError } from '../errors.js';
import type { DriverOptions } from './driver.js';

/** Default time to open a connection to a store, handshake included (`connectTimeoutMs`). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** Default time one batch write may take (`writeTimeoutMs`). */
export const DEFAULT_WRITE_TIMEOUT_MS = 5000;
/** Default time one read (a report, a listing) may take (`readTimeoutMs`). */
export const DEFAULT_READ_TIMEOUT_MS = 30_000;

/** The three deadlines of a driver, in milliseconds. */
export interface Deadlines {
  connectMs: number;
  writeMs: number;
  readMs: number;
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** The deadlines a driver's options ask for, defaults filled in. */
export function deadlinesOf(options: DriverOptions = {}): Deadlines {
  return {
    connectMs: positive(options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
    writeMs: positive(options.writeTimeoutMs, DEFAULT_WRITE_TIMEOUT_MS),
    readMs: positive(options.readTimeoutMs, DEFAULT_READ_TIMEOUT_MS),
  };
}

/**
 * Settles like `work`, or rejects with DriverUnavailableError "`who` did not answer within N ms
 * (`what`)" once `ms` have passed. `onTimeout` then runs (once), to drop the connection that
 * hangs so the next operation opens a fresh one. The timer never keeps the process alive.
 */
export function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  who: string,
  what: string,
  onTimeout?: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      try {
        onTimeout?.();
      } catch {
        // tearing down a wedged connection must not hide the timeout
      }
      reject(new DriverUnavailableError(`${who} did not answer within ${ms} ms (${what}).`));
    }, ms);
    timer.unref();
  });
  // why: a late rejection of the abandoned work must not become an unhandled rejection.
  work.catch(() => {});
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
