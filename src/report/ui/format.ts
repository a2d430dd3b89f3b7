// Value formatting shared by the HTML report's data builder and its in-page viewer (no module scope used).

/**
 * A duration in whole milliseconds as people read it: `850 ms`, `12.35 s`, `3 min 05 s`, `2 h 07 min`,
 * `4 d 03 h`.
 * why: self-contained (shipped to the page via toString), so no shared constants.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const sign = ms < 0 ? '-' : '';
  const v = Math.abs(ms);
  const pad = (n: number): string => (n < 10 ? '0' + n : String(n));
  if (v < 1000) return sign + v + ' ms';
  if (v < 60_000) return sign + (v / 1000).toFixed(v < 10_000 ? 2 : 1) + ' s';
  const s = Math.floor(v / 1000);
  if (v < 3_600_000) return sign + Math.floor(s / 60) + ' min ' + pad(s % 60) + ' s';
  const m = Math.floor(s / 60);
  if (v < 86_400_000) return sign + Math.floor(m / 60) + ' h ' + pad(m % 60) + ' min';
  const h = Math.floor(m / 60);
  return sign + Math.floor(h / 24) + ' d ' + pad(h % 24) + ' h';
}

/** `part` as a percentage of `total` with one decimal (`0.0%` when total is 0). */
export function formatPercent(part: number, total: number): string {
  if (!(total > 0)) return '0.0%';
  return ((part / total) * 100).toFixed(1) + '%';
}

/**
 * A report value as display text: strings as they are, null/undefined as `(none)`, anything else
 * as JSON (never throws: unserialisable values fall back to String()).
 */
export function labelOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '(none)';
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text;
  } catch {
    return String(value);
  }
}

/**
 * An epoch-ms time as `2026-12-04 14:30:05.123 UTC` ('' when not a finite time). Always UTC, so
 * every reader of a page sees the same time as the services' logs.
 */
export function formatClock(epochMs: number): string {
  if (!Number.isFinite(epochMs)) return '';
  const date = new Date(Math.floor(epochMs));
  if (!Number.isFinite(date.getTime())) return '';
  return date.toISOString().replace('T', ' ').replace('Z', '') + ' UTC';
}
