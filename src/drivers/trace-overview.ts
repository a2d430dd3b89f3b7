// Per-trace summaries a store can compute itself (one aggregate query), used by `osprofiler trace list`.

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
