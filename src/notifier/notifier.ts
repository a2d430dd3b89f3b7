// The process-wide notifier slot: where every notification goes (Python's osprofiler.notifier).
import type { Notification } from '../core/payload.js';
import { logRateLimited } from '../log.js';

/** A function that takes one notification; it must not block and should not throw. */
export type NotifyFn = (payload: Notification) => void;

const noop: NotifyFn = () => {};

let current: NotifyFn = noop;

/**
 * Hands one notification to the current notifier. Never throws into the caller.
 * @since 0.1.0
 */
export function notify(payload: Notification): void {
  notifyWith(current, payload);
}

/** Hands one notification to `fn` (a trace's own notifier). Never throws into the caller. */
export function notifyWith(fn: NotifyFn, payload: Notification): void {
  try {
    fn(payload);
  } catch (error) {
    logRateLimited('error', 'notify', `osprofiler: the notifier failed: ${(error as Error)?.message ?? error}`);
  }
}

/** The current notifier function (the no-op one until set). @since 0.1.0 */
export function getNotifier(): NotifyFn {
  return current;
}

/** Makes `fn` the notifier (`undefined` restores the no-op one). @since 0.1.0 */
export function setNotifier(fn: NotifyFn | undefined): void {
  current = fn ?? noop;
}

/** The notifier that drops everything. */
export function noopNotifier(): NotifyFn {
  return noop;
}
