// The SQLite aggregate query behind SqliteDriver.listTraceOverviews and its row mapping.
import { traceOverview, type TraceOverview } from '../trace-overview.js';

// why: "project-service" is how OpenStack names a service (OTLP's service.name uses the same).
export const SERVICE_EXPR =
  "CASE WHEN project IS NULL THEN service WHEN service IS NULL THEN project ELSE project || '-' || service END";

// The etype of a stop row. `instr` first so rows without the word are never parsed; json_valid
// guards every decode (a malformed value would make json functions fail the whole query).
export const ETYPE_EXPR = `CASE WHEN substr(name, -4) = 'stop' AND instr(data, 'etype') > 0 AND json_valid(data) THEN
    CASE WHEN json_type(data) = 'text'
      THEN CASE WHEN json_valid(data ->> '$') THEN (data ->> '$') ->> '$.info.etype' END
      ELSE data ->> '$.info.etype' END
  END`;

/**
 * One `GROUP BY base_id` over `data`: first/last timestamp, counts, distinct services and the
 * error type of a failed stop; most recent first, `LIMIT ?` (-1: all), optionally errors only.
 */
export function overviewSql(errorsOnly: boolean): string {
  return `SELECT base_id, MIN(timestamp) AS started, MAX(timestamp) AS finished, COUNT(*) AS notifications,
      COUNT(DISTINCT trace_id) AS spans, json_group_array(DISTINCT ${SERVICE_EXPR}) AS services,
      MAX(${ETYPE_EXPR}) AS error
    FROM data WHERE base_id IS NOT NULL GROUP BY base_id
    ${errorsOnly ? 'HAVING error IS NOT NULL' : ''}
    ORDER BY started DESC, base_id DESC LIMIT ?`;
}

/** A result row of {@link overviewSql} as a TraceOverview. */
export function toOverview(row: Record<string, unknown>): TraceOverview {
  let services: string[] = [];
  try {
    const parsed = JSON.parse(String(row.services ?? '[]')) as unknown[];
    services = parsed.filter((s): s is string => typeof s === 'string');
  } catch {
    // json_group_array always yields valid JSON; an empty list is the safe fallback
  }
  return traceOverview({
    base_id: row.base_id,
    started: row.started,
    finished: row.finished,
    services,
    spans: row.spans,
    notifications: row.notifications,
    error: row.error,
  });
}
