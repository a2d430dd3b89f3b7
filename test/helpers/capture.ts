// Captures what the tests' code sends: notifications through the notifier, and diagnostics_channel starts.
import { tracingChannel } from 'node:diagnostics_channel';
import { afterEach, beforeEach } from 'node:test';
import { runWithProfiler } from '../../src/core/current.js';
import { setNotifier } from '../../src/notifier/notifier.js';
import type { Notification } from '../../src/core/payload.js';
import { Profiler } from '../../src/core/profiler.js';

/** A notification list that `listen()` empties (in place) and makes the notifier's target. */
export interface NotificationCapture {
  /** Everything sent since the last `listen()`; the same array for the whole file. */
  readonly sent: Notification[];
  /** Empties `sent` and installs a notifier that appends to it (call it in `beforeEach`). */
  listen(): void;
  /** The `db-start` notifications, in order. */
  starts(): Notification[];
  /** The `db-stop` that closes `start` (same trace_id). */
  stopOf(start: Notification): Notification | undefined;
}

/** A fresh capture; `setNotifier(undefined)` still ends it. */
export function captureNotifications(): NotificationCapture {
  const sent: Notification[] = [];
  return {
    sent,
    listen() {
      // why: cleared in place, so tests may destructure `sent` once at file level
      sent.length = 0;
      setNotifier((n) => sent.push(n));
    },
    starts: () => sent.filter((n) => n.name === 'db-start'),
    stopOf: (start) => sent.find((n) => n.name === 'db-stop' && n.trace_id === start.trace_id),
  };
}

/**
 * Registers hooks on the enclosing file (or suite): before each test the returned list is emptied and
 * receives what the notifier sends; after each test `cleanup` runs, if given, then the notifier is removed.
 */
export function captureEachTest(cleanup?: () => void): Notification[] {
  const capture = captureNotifications();
  beforeEach(capture.listen);
  afterEach(() => {
    cleanup?.();
    setNotifier(undefined);
  });
  return capture.sent;
}

/** Runs `fn` inside a trace (hmac key `key`, parent `root`). */
export const inTrace = <R>(fn: () => R, base = 'base'): R => runWithProfiler(new Profiler('key', base, 'root'), fn);

/** The `info.db` object of a db notification. */
export const dbInfo = (n: Notification) => n.info.db as Record<string, unknown>;

/** Calls `onStart` with each start message of the tracing channel `name`; returns the unsubscribe. */
export function onChannelStart(name: string, onStart: (message: unknown) => void): () => void {
  const handlers = {
    start: (message: unknown) => void onStart(message),
    end() {},
    asyncStart() {},
    asyncEnd() {},
    error() {},
  };
  const channel = tracingChannel(name);
  channel.subscribe(handlers);
  return () => channel.unsubscribe(handlers);
}
