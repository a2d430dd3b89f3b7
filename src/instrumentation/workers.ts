// Carrying a trace into worker_threads: trace data for workerData, restoring it in the thread, forwarding its notifications.
import { BroadcastChannel, isMainThread, threadId, workerData as currentWorkerData } from 'node:worker_threads';
import { currentProfiler, enterProfiler } from '../core/context.js';
import { runWithProfiler, type TraceContext } from '../core/current.js';
import { debug } from '../log.js';
import { getNotifier, noopNotifier, notify, setNotifier } from '../notifier/notifier.js';
import type { Notification } from '../core/payload.js';
import { Profiler } from '../core/profiler.js';
import { readTraceInfo } from '../propagation/trace-info.js';

/** The workerData key that {@link traceWorkerData} fills. @since 0.1.0 */
export const WORKER_TRACE_KEY = 'osprofilerTrace';

/** The trace as it travels in workerData (structured-clone safe). @since 0.1.0 */
export interface WorkerTrace extends TraceContext {
  /** Channel on which the thread that created the worker takes the worker's notifications. */
  notify_channel?: string;
}

/** What {@link traceWorkerData} returns: spread it into workerData. @since 0.1.0 */
export interface WorkerTraceData {
  [WORKER_TRACE_KEY]?: WorkerTrace;
}

/** Options of {@link restoreInWorker} and {@link runInWorkerTrace}. @since 0.1.0 */
export interface WorkerTraceOptions {
  /**
   * Send the worker's notifications to the thread that created it (which hands them to its own
   * notifier). Default true; done only while the worker has no notifier of its own (a later
   * `setNotifier` / `createNotifier` in the worker wins).
   */
  forwardNotifications?: boolean;
}

const CHANNEL_PREFIX = 'osprofiler.notify.';
let listening: BroadcastChannel | undefined;

/**
 * `{osprofilerTrace: {hmac_key, base_id, parent_id, notify_channel}}` for the current trace, to
 * spread into a Worker's workerData (`{workerData: {...job, ...traceWorkerData()}}`); `{}`
 * outside a trace. In a trace it also makes this thread take notifications that its workers
 * forward (an unref'd BroadcastChannel: it never keeps the process alive). The parent of the
 * worker's first points is the current point. Never throws.
 *
 * NOTE: the HMAC key is copied into the worker's memory; it never leaves the process.
 * @since 0.1.0
 */
export function traceWorkerData(): WorkerTraceData {
  const profiler = currentProfiler();
  if (profiler === undefined) return {};
  try {
    const notifyChannel = CHANNEL_PREFIX + threadId;
    listenForWorkers(notifyChannel);
    return {
      [WORKER_TRACE_KEY]: {
        hmac_key: profiler.hmacKey ?? '',
        base_id: profiler.getBaseId(),
        parent_id: profiler.getId(),
        notify_channel: notifyChannel,
      },
    };
  } catch (error) {
    debug('workers: no trace data: %s', error);
    return {};
  }
}

/**
 * In a worker: makes the trace of `data` (default: this worker's `workerData`) current for the
 * rest of the worker's synchronous run and everything it schedules, and returns the profiler;
 * undefined (and nothing changes) when `data` carries no valid trace. Accepts the workerData
 * object or the trace object itself.
 * @since 0.1.0
 */
export function restoreInWorker(data: unknown = currentWorkerData, options?: WorkerTraceOptions): Profiler | undefined {
  const trace = readWorkerTrace(data);
  if (trace === undefined) return undefined;
  forward(trace, options);
  const profiler = new Profiler(trace.hmac_key, trace.base_id, trace.parent_id);
  enterProfiler(profiler);
  return profiler;
}

/**
 * In a worker: runs `fn` in the trace of `data` (the workerData object or the trace object),
 * or plainly when it carries none. The scoped form of {@link restoreInWorker}.
 * @since 0.1.0
 */
export function runInWorkerTrace<R>(data: unknown, fn: () => R, options?: WorkerTraceOptions): R {
  const trace = readWorkerTrace(data);
  if (trace === undefined) return fn();
  forward(trace, options);
  return runWithProfiler(trace, fn);
}

/** The valid trace in workerData (or a bare trace object), else undefined. Never throws. */
function readWorkerTrace(data: unknown): WorkerTrace | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const record = data as Record<string, unknown>;
  const raw = Object.hasOwn(record, WORKER_TRACE_KEY) ? record[WORKER_TRACE_KEY] : data;
  if (raw === null || typeof raw !== 'object') return undefined;
  const { notify_channel: channel, ...rest } = raw as Record<string, unknown>;
  const context = readTraceInfo(rest);
  if (context === undefined) return undefined;
  return typeof channel === 'string' && channel.startsWith(CHANNEL_PREFIX)
    ? { ...context, notify_channel: channel }
    : context;
}

/** In the worker: a notifier that posts to the creating thread's channel, unless one is set. */
function forward(trace: WorkerTrace, options: WorkerTraceOptions | undefined): void {
  const channelName = trace.notify_channel;
  if (options?.forwardNotifications === false || channelName === undefined || isMainThread) return;
  if (getNotifier() !== noopNotifier()) return;
  // why: our own thread's channel would hand notifications back to us (a loop), not to the parent.
  if (channelName === CHANNEL_PREFIX + threadId) return;
  try {
    const channel = new BroadcastChannel(channelName);
    // why: postMessage is synchronous, so nothing is lost when the worker ends right after.
    channel.unref();
    setNotifier((payload: Notification) => channel.postMessage(payload));
  } catch (error) {
    debug('workers: cannot forward notifications: %s', error);
  }
}

/** In the creating thread: hands forwarded notifications to this thread's notifier. */
function listenForWorkers(channelName: string): void {
  if (listening !== undefined) return;
  const channel = new BroadcastChannel(channelName);
  channel.onmessage = (event: unknown) => {
    const payload = (event as { data?: unknown }).data;
    if (isNotification(payload)) notify(payload);
  };
  channel.unref();
  listening = channel;
}

function isNotification(value: unknown): value is Notification {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.name === 'string' &&
    typeof record.base_id === 'string' &&
    typeof record.trace_id === 'string' &&
    typeof record.timestamp === 'string'
  );
}
