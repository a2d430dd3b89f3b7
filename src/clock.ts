// Microsecond UTC timestamps in Python's `%Y-%m-%dT%H:%M:%S.%f` layout (six digits, no zone).

// why: Date has only milliseconds; timeOrigin + performance.now() gives microseconds from one
// monotonic base, so timestamps within a process never go backwards.
const originUs = Math.round(performance.timeOrigin * 1000);

let cachedSecond = -1;
let cachedPrefix = '';

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Formats microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffff` (UTC). */
export function formatTimestamp(epochUs: number): string {
  const second = Math.floor(epochUs / 1e6);
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    cachedPrefix =
      `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T` +
      `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.`;
    cachedSecond = second;
  }
  const micros = epochUs - second * 1e6;
  return cachedPrefix + (micros < 100000 ? pad(micros, 6) : String(micros));
}

/** Microseconds since the Unix epoch, from the monotonic clock. */
export function nowUs(): number {
  return originUs + Math.floor(performance.now() * 1000);
}

let clock: () => string = () => formatTimestamp(nowUs());

/** The current UTC time as a notification timestamp. @since 0.1.0 */
export function utcTimestamp(): string {
  return clock();
}

/** Replaces the clock (tests feed the fixtures' `clock_reads`); `undefined` restores the real one. */
export function setClock(next: (() => string) | undefined): void {
  clock = next ?? (() => formatTimestamp(nowUs()));
}
