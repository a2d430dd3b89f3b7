// When a trace began on the wall clock: kept by the report builder beside the (Python-shaped) report, or read back from its payloads.
import { parseTimestampParts } from '../propagation/timestamp.js';
import { spanPayloads } from './span-label.js';
import type { Report } from './types.js';

// why: the report object must stay key-for-key what Python returns (its JSON is compared byte
// for byte), so the start is held beside it, not in it. A WeakMap lets reports be collected.
const startedAt = new WeakMap<object, number>();

/** Records that `report` (as built by the report builder) began at `epochMs` (UTC, fractional ms). */
export function rememberReportStart(report: Report, epochMs: number): void {
  if (Number.isFinite(epochMs)) startedAt.set(report, epochMs);
}

/**
 * The wall-clock start of a trace as epoch milliseconds (UTC, with the microseconds as a
 * fraction), or undefined when nothing tells. Reports built here carry it whatever the store
 * (SQL stores keep timestamps in a column, not in the payloads); for other reports (a file from
 * `trace show --json`) it is read from the first top-level point that started at 0 ms and kept
 * its start payload's timestamp. Never throws.
 * @since 0.2.0
 */
export function reportStartTime(report: Report): number | undefined {
  if (report === null || typeof report !== 'object') return undefined;
  const known = startedAt.get(report);
  if (known !== undefined) return known;
  const roots = Array.isArray(report.children) ? report.children : [];
  for (const node of roots) {
    const info = node?.info as Record<string, unknown> | undefined;
    if (info === undefined || info === null || typeof info !== 'object') continue;
    const { start, stop } = spanPayloads(info);
    const useStart = info.started === 0 && start !== undefined;
    const useStop = !useStart && info.finished === 0 && stop !== undefined;
    if (!useStart && !useStop) continue;
    const parts = parseTimestampParts((useStart ? start : stop)?.timestamp);
    if (parts !== undefined) return parts.seconds * 1000 + parts.micros / 1000;
  }
  return undefined;
}

/** `2026-12-04 14:30:05.123 UTC` for an epoch-ms time; '' for a time Date cannot show. */
export function formatUtc(epochMs: number): string {
  const date = new Date(Math.floor(epochMs));
  if (!Number.isFinite(date.getTime())) return '';
  return `${date.toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}
