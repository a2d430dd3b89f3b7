// Per-trace summaries a store can compute itself (one aggregate query), used by `osprofiler trace list`.
import { msBetween, parseTimestampParts } from '../propagation/timestamp.js';

/**
 * One line of `osprofiler trace list`: a trace summarised by the store itself (one aggregate
 * query in SQL stores) rather than by rebuilding every report.
 * @since 0.1.0
 */
export interface TraceOverview {
  base_id: string;
  /** Earliest timestamp of the trace (what listTraces() reports). */
  timestamp: string;
  /** Latest timestamp of the trace. */
  finished: string;
  /** Whole milliseconds from the first to the last notification (null if a timestamp is unparsable). */
  durationMs: number | null;
  /** `<project>-<service>` names that wrote to the trace, sorted. */
  services: string[];
  /** Number of distinct trace points. */
  spans: number;
  /** Number of stored notifications. */
  notifications: number;
  /** The error type of a failed point (`info.etype` of a stop), or null. */
  error: string | null;
}

/** What a store's aggregate gives for one trace, before it is a {@link TraceOverview}. */
export interface TraceAggregate {
  base_id: unknown;
  /** MIN(timestamp) and MAX(timestamp). */
  started: unknown;
  finished: unknown;
  spans: unknown;
  notifications: unknown;
  services: readonly string[];
  error: unknown;
}

/** A TraceOverview from a store's aggregate: the duration from its first and last timestamps, services sorted. */
export function traceOverview(aggregate: TraceAggregate): TraceOverview {
  const started = String(aggregate.started ?? '');
  const finished = String(aggregate.finished ?? '');
  const from = parseTimestampParts(started);
  const to = parseTimestampParts(finished);
  return {
    base_id: String(aggregate.base_id),
    timestamp: started,
    finished,
    durationMs: from !== undefined && to !== undefined ? msBetween(from, to) : null,
    services: [...aggregate.services].sort(),
    spans: Number(aggregate.spans ?? 0),
    notifications: Number(aggregate.notifications ?? 0),
    error: aggregate.error === null || aggregate.error === undefined ? null : String(aggregate.error),
  };
}

/** Options of {@link TraceOverviewSource.listTraceOverviews}. */
export interface TraceOverviewOptions {
  /** Only traces with an error. */
  errorsOnly?: boolean;
  /** At most this many, the most recent ones (still returned oldest first). */
  limit?: number;
}

/**
 * A store that can summarise traces in one query (a TraceReader's optional `overviews`); the CLI
 * and the trace browser use it when present and fall back to listTraces() otherwise.
 */
export interface TraceOverviewSource {
  listTraceOverviews(options?: TraceOverviewOptions): Promise<TraceOverview[]>;
  /** Number of traces in the store. */
  countTraces(): Promise<number>;
}

/** Filters and page of a trace search (`osprofiler ui`). Every filter is optional. */
export interface TraceSearchQuery {
  /** Traces per page (default 50). */
  limit?: number;
  /** Only traces that started before this one (`started` then `base_id`, both as listed): the next page. */
  before?: { timestamp: string; base_id: string };
  /** A `<project>-<service>` that wrote to the trace (exact). */
  service?: string;
  /** Words that must all occur in the trace's stored payloads (case-insensitive): path, function name, SQL… */
  operation?: string;
  /** Duration bounds, ms (inclusive). */
  minDurationMs?: number;
  maxDurationMs?: number;
  /** Start bounds, compared as stored timestamps (`YYYY-MM-DDTHH:MM[:SS.ffffff]`, UTC; inclusive). */
  from?: string;
  to?: string;
  /** Only traces with an error. */
  errorsOnly?: boolean;
  /** Text found in the trace id, a service name or the error type (case-insensitive). */
  text?: string;
}

/** A listed trace: its overview plus the operation of its first point (`GET /servers`). */
export interface TraceSearchHit extends TraceOverview {
  operation: string | null;
}

/** One page of results, newest first; `more` tells whether older matches exist. */
export interface TraceSearchPage {
  traces: TraceSearchHit[];
  more: boolean;
}

/** A store that searches its traces itself (the SQLite store, through its timestamp index): a TraceReader's optional `search`. */
export interface TraceSearchSource {
  searchTraces(query: TraceSearchQuery): Promise<TraceSearchPage>;
}

/** True when `trace` passes the query's filters other than the page (`before`, `limit`) and `operation`. */
export function overviewMatches(trace: TraceOverview, query: TraceSearchQuery): boolean {
  if (query.errorsOnly && (trace.error === null || trace.error === undefined)) return false;
  const text = (query.text ?? '').toLowerCase();
  if (
    text !== '' &&
    !trace.base_id.toLowerCase().includes(text) &&
    !trace.services.some((s) => s.toLowerCase().includes(text)) &&
    !(trace.error ?? '').toLowerCase().includes(text)
  )
    return false;
  if (query.service !== undefined && query.service !== '' && !trace.services.includes(query.service)) return false;
  const d = trace.durationMs;
  if (query.minDurationMs !== undefined && (d === null || d < query.minDurationMs)) return false;
  if (query.maxDurationMs !== undefined && (d === null || d > query.maxDurationMs)) return false;
  if (query.from !== undefined && query.from !== '' && trace.timestamp < query.from) return false;
  // why: `to` may be a prefix ("…T14:30"): every timestamp within that minute still matches.
  if (query.to !== undefined && query.to !== '' && trace.timestamp > query.to && !trace.timestamp.startsWith(query.to))
    return false;
  return true;
}
