// flush / shutdown / notifierStats for the current notifier, and the opt-in flush on process exit.
import { getNotifier } from './notifier.js';
import { activeNotifiers, type Notifier } from './create.js';
import type { NotifierStats } from './queue.js';

function isQueued(fn: unknown): fn is Notifier {
  return typeof fn === 'function' && typeof (fn as Partial<Notifier>).flush === 'function';
}

/** Writes out everything queued in every notifier. Never rejects. @since 0.1.0 */
export async function flush(): Promise<void> {
  const all = new Set<Notifier>(activeNotifiers());
  const current = getNotifier();
  if (isQueued(current)) all.add(current);
  await Promise.all([...all].map((n) => n.flush().catch(() => {})));
}

/** Flushes and closes every notifier (drivers release connections). Never rejects. @since 0.1.0 */
export async function shutdown(): Promise<void> {
  const all = new Set<Notifier>(activeNotifiers());
  const current = getNotifier();
  if (isQueued(current)) all.add(current);
  await Promise.all([...all].map((n) => n.shutdown().catch(() => {})));
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
 * Opt-in, because a library must not change how its host handles signals by default.
 * @since 0.1.0
 */
export function flushOnExit(options: { signals?: boolean } = {}): void {
  if (installed) return;
  installed = true;
  process.once('beforeExit', () => void flush());
  if (options.signals === false) return;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const others = process.listenerCount(signal) > 0;
      void shutdown().finally(() => {
        if (!others) process.kill(process.pid, signal);
      });
    });
  }
}
