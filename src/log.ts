// Human-readable diagnostics: util.debuglog('osprofiler') plus rate-limited warnings to stderr.
import { debuglog } from 'node:util';

/** Debug lines, shown with NODE_DEBUG=osprofiler. */
export const debug = debuglog('osprofiler');

type LogSink = (level: 'warn' | 'error', message: string) => void;

const processWarning: LogSink = (level, message) => {
  process.emitWarning(message, { type: 'OsprofilerWarning', code: level === 'error' ? 'OSP_ERROR' : 'OSP_WARN' });
};

let sink: LogSink = processWarning;

/** Routes osprofiler's warnings and errors to the application's logger. @since 0.1.0 */
export function setLogSink(next: LogSink | undefined): void {
  sink = next ?? processWarning;
}

const lastLogged = new Map<string, number>();
const LOG_INTERVAL_MS = 60_000;

/**
 * Logs `message` at most once a minute per `key`, never throwing.
 * why: a store that is down fails every batch; one line a minute says so without flooding logs.
 */
export function logRateLimited(level: 'warn' | 'error', key: string, message: string): void {
  const now = Date.now();
  const last = lastLogged.get(key);
  if (last !== undefined && now - last < LOG_INTERVAL_MS) return;
  if (lastLogged.size > 1000) lastLogged.clear();
  lastLogged.set(key, now);
  try {
    sink(level, message);
  } catch {
    // a broken sink must not reach the host program
  }
}
