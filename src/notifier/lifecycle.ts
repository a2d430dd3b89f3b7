// flush / shutdown / notifierStats for the current notifier, and the opt-in flush on process exit.
import { getNotifier } from './notifier.js';
import { activeNotifiers, type DeadlineOptions, type Notifier } from './create.js';
import type { NotifierStats } from './queue.js';

function isQueued(fn: unknown): fn is Notifier {
  return typeof fn === 'function' && typeof (fn as Partial<Notifier>).flush === 'function';
}

/**
 * Writes out everything queued in every notifier, waiting at most `timeoutMs` (default each
 * notifier's `flushTimeoutMs`, 10 s; what is left stays queued). Never rejects. @since 0.1.0
 */
export async function flush(options: DeadlineOptions = {}): Promise<void> {
  const all = new Set<Notifier>(activeNotifiers());
  const current = getNotifier();
  if (isQueued(current)) all.add(current);
  await Promise.all([...all].map((n) => n.flush(options).catch(() => {})));
}

/**
 * Flushes and closes every notifier (drivers release connections) within `timeoutMs` (default
 * each notifier's `flushTimeoutMs`, 10 s); what is not written by then is counted as failed in
 * notifierStats(). Never rejects. @since 0.1.0
 */
export async function shutdown(options: DeadlineOptions = {}): Promise<void> {
  const all = new Set<Notifier>(activeNotifiers());
  const current = getNotifier();
  if (isQueued(current)) all.add(current);
  await Promise.all([...all].map((n) => n.shutdown(options).catch(() => {})));
}

/** The counters of the current notifier (all zero for a plain function). @since 0.1.0 */
export function notifierStats(): NotifierStats {
  const current = getNotifier();
  return isQueued(current) ? current.stats() : { queued: 0, written: 0, dropped: 0, failed: 0 };
}

let installed = false;

/**
 * Flushes the notifiers when the process ends: on `beforeExit`, and on SIGTERM/SIGINT (then
 * exits with the conventional code, unless the application has its own handlers for them).
 * Each waits at most `timeoutMs` (default each notifier's `flushTimeoutMs`, 10 s); on a signal
 * what is not written by then is counted as failed and the process ends anyway.
 * Opt-in, because a library must not change how its host handles signals by default.
 * @since 0.1.0
 */
export function flushOnExit(options: { signals?: boolean; timeoutMs?: number } = {}): void {
  if (installed) return;
  installed = true;
  const deadline: DeadlineOptions = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  process.once('beforeExit', () => void flush(deadline));
  if (options.signals === false) return;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const others = process.listenerCount(signal) > 0;
      void shutdown(deadline).finally(() => {
        if (!others) process.kill(process.pid, signal);
      });
    });
  }
}
