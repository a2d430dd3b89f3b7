// Per-trace summaries on PostgreSQL / MySQL: the queries behind SqlDriver.listTraceOverviews and the mapping of their rows.
import { decodeDataColumn, type SqlDialect } from './layout.js';

/** First and last timestamp and the counts of each trace; `ORDER BY … LIMIT` is appended by the caller. */
export const OVERVIEW_AGGREGATE_SQL = `SELECT base_id, MIN(timestamp) AS started, MAX(timestamp) AS finished,
  COUNT(*) AS notifications, COUNT(DISTINCT trace_id) AS spans FROM data WHERE base_id IS NOT NULL`;

/**
 * Rows that may hold an error: stops whose stored text contains "etype". why a text test, and the
 * decoding in JavaScript: `data` is whatever writers stored, and one value the server cannot
 * decode would fail a JSON expression for the whole query.
 */
export function errorCandidatesSql(dialect: SqlDialect): string {
  const text = dialect === 'postgresql' ? 'data::text' : 'CAST(data AS CHAR)';
  return `SELECT base_id, name, data FROM data WHERE base_id IS NOT NULL AND name LIKE '%stop' AND ${text} LIKE '%etype%'`;
}

/** The error of a trace: SQL's MAX over `info.etype` values, numbers (and booleans) below text. */
type ErrorValue = { rank: 0; value: number } | { rank: 1; value: string };

/** An `info.etype` as the SQLite store's `data ->> '$.info.etype'` gives it, or undefined for none. */
function errorValueOf(etype: unknown): ErrorValue | undefined {
  if (etype === undefined || etype === null) return undefined;
  if (typeof etype === 'number') return { rank: 0, value: etype };
  if (typeof etype === 'boolean') return { rank: 0, value: etype ? 1 : 0 };
  return { rank: 1, value: typeof etype === 'string' ? etype : JSON.stringify(etype) };
}

function greater(a: ErrorValue, b: ErrorValue): boolean {
  return a.rank !== b.rank ? a.rank > b.rank : a.value > b.value;
}

/** Accumulates the error of each trace from {@link errorCandidatesSql} rows. */
export class TraceErrors {
  readonly #errors = new Map<string, ErrorValue>();

  /** Reads one candidate row: a stop of a trace whose `data` decodes to a dict with `info.etype`. */
  add(row: Record<string, unknown>): void {
    if (typeof row.base_id !== 'string' || typeof row.name !== 'string' || !row.name.endsWith('stop')) return;
    const info = decodeDataColumn(row.data)?.info;
    const found = errorValueOf(
      info !== null && typeof info === 'object' ? (info as { etype?: unknown }).etype : undefined,
    );
    if (found === undefined) return;
    const known = this.#errors.get(row.base_id);
    if (known === undefined || greater(found, known)) this.#errors.set(row.base_id, found);
  }

  /** The traces that have an error. */
  ids(): string[] {
    return [...this.#errors.keys()];
  }

  /** The error of `baseId` as text (null when it has none). */
  of(baseId: string): string | null {
    const error = this.#errors.get(baseId);
    return error === undefined ? null : String(error.value);
  }
}

/** `<project>-<service>`, or whichever of the two is set (null when neither is), as the SQLite store names services. */
function serviceName(project: unknown, service: unknown): string | null {
  if (project === null || project === undefined)
    return service === null || service === undefined ? null : String(service);
  if (service === null || service === undefined) return String(project);
  return `${String(project)}-${String(service)}`;
}

/** The service names of each trace, from `SELECT DISTINCT base_id, project, service` rows. */
export function servicesByTrace(rows: Iterable<Record<string, unknown>>): Map<string, Set<string>> {
  const services = new Map<string, Set<string>>();
  for (const row of rows) {
    const name = serviceName(row.project, row.service);
    if (name === null) continue;
    const id = String(row.base_id);
    const set = services.get(id);
    if (set === undefined) services.set(id, new Set([name]));
    else set.add(name);
  }
  return services;
}
