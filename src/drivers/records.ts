// Helpers every driver shares: the stored form of a notification and trace summaries.
import { shallowCopy, type Notification } from '../core/payload.js';
import type { TraceSummary } from '../report/types.js';
import type { DriverOptions } from './driver.js';

/**
 * The notification as drivers store it: a copy with `project` and `service` appended, as the
 * Python drivers do (`data = info.copy(); data["project"] = ...; data["service"] = ...`). A
 * payload that already carries them (a stored record forwarded by `osprofiler collect`) keeps
 * its own, as the SQL layout does for its columns.
 */
export function storedRecord(payload: Notification, options: DriverOptions): Notification {
  const record = shallowCopy(payload);
  // why: Python stores None when the service configured no project/service name.
  if (!Object.hasOwn(payload, 'project')) record.project = (options.project ?? null) as string;
  if (!Object.hasOwn(payload, 'service')) record.service = (options.service ?? null) as string;
  return record;
}

/** True when the timestamp `a` is earlier than `b` (both `YYYY-MM-DDTHH:MM:SS.ffffff`). */
export function earlier(a: string, b: string): boolean {
  // why: equal-length, zero-padded timestamps order correctly as text; others need parsing.
  if (a.length === b.length) return a < b;
  return Date.parse(`${a}Z`) < Date.parse(`${b}Z`);
}

/** One listTraces() entry: the requested fields of the trace's earliest notification. */
export function summarize(records: readonly Notification[], fields: readonly string[]): TraceSummary {
  let first = records[0]!;
  for (const record of records) if (earlier(record.timestamp, first.timestamp)) first = record;
  const summary: Record<string, unknown> = {};
  for (const field of fields) summary[field] = (first as Record<string, unknown>)[field];
  summary.base_id ??= first.base_id;
  return summary as TraceSummary;
}
