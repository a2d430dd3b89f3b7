// Compares two traces (before/after a change): per span type, service and operation, counts, total and self time, deltas.
import { spanOperation, spanService, walkReport } from './span-label.js';
import type { Report, ReportNode } from './types.js';

/** One trace's figures for one key. */
export interface CompareSide {
  /** Points with this key. */
  count: number;
  /** Their summed durations, ms (nested points of one key count once each, as `report.stats` does). */
  totalMs: number;
  /** Their summed self time, ms: duration minus the time covered by their children. */
  selfMs: number;
}

/** One line of a comparison table. */
export interface CompareRow {
  key: string;
  a: CompareSide;
  b: CompareSide;
  /** `b.totalMs - a.totalMs`. */
  deltaMs: number;
  /** `b.selfMs - a.selfMs`. */
  deltaSelfMs: number;
}

/** What one trace was as a whole. */
export interface CompareTraceSummary {
  /** End to end, ms (`report.info.finished`). */
  durationMs: number;
  spans: number;
  errors: number;
}

/** The result of {@link compareReports}; each table sorted by |deltaMs| (largest first), then |deltaSelfMs|, then key. */
export interface TraceComparison {
  a: CompareTraceSummary;
  b: CompareTraceSummary;
  byType: CompareRow[];
  byService: CompareRow[];
  byOperation: CompareRow[];
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Duration of `node` not covered by its children (their union, clipped to the node). */
export function selfTime(node: ReportNode): number {
  const started = num(node.info?.started);
  const finished = Math.max(started, num(node.info?.finished));
  const children = Array.isArray(node.children) ? node.children : [];
  const spans = children
    .filter((c) => c !== null && typeof c === 'object')
    .map((c) => [Math.max(started, num(c.info?.started)), Math.min(finished, num(c.info?.finished))] as const)
    .filter(([from, to]) => to > from)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let reach = started;
  for (const [from, to] of spans) {
    const a = Math.max(from, reach);
    if (to > a) {
      covered += to - a;
      reach = to;
    }
  }
  return finished - started - covered;
}

type Tables = [Map<string, CompareSide>, Map<string, CompareSide>, Map<string, CompareSide>];

function collect(report: Report): { tables: Tables; summary: CompareTraceSummary } {
  const tables: Tables = [new Map(), new Map(), new Map()];
  let spans = 0;
  let errors = 0;
  walkReport(Array.isArray(report?.children) ? report.children : [], (node) => {
    spans++;
    const info = (node.info ?? {}) as Record<string, unknown>;
    const exception = info.exception;
    if (exception !== undefined && exception !== null && exception !== 'None') errors++;
    const duration = Math.max(0, num(info.finished) - num(info.started));
    const self = selfTime(node);
    const type = typeof info.name === 'string' ? info.name : '?';
    const keys = [type, spanService(info) || '(none)', `${type}: ${spanOperation(info)}`];
    keys.forEach((key, k) => {
      const entry = tables[k].get(key);
      if (entry === undefined) tables[k].set(key, { count: 1, totalMs: duration, selfMs: self });
      else {
        entry.count++;
        entry.totalMs += duration;
        entry.selfMs += self;
      }
    });
  });
  return { tables, summary: { durationMs: num(report?.info?.finished), spans, errors } };
}

function merge(a: Map<string, CompareSide>, b: Map<string, CompareSide>): CompareRow[] {
  const zero = (): CompareSide => ({ count: 0, totalMs: 0, selfMs: 0 });
  const keys = new Set([...a.keys(), ...b.keys()]);
  const rows = [...keys].map((key) => {
    const sa = a.get(key) ?? zero();
    const sb = b.get(key) ?? zero();
    return { key, a: sa, b: sb, deltaMs: sb.totalMs - sa.totalMs, deltaSelfMs: sb.selfMs - sa.selfMs };
  });
  return rows.sort(
    (x, y) =>
      Math.abs(y.deltaMs) - Math.abs(x.deltaMs) ||
      Math.abs(y.deltaSelfMs) - Math.abs(x.deltaSelfMs) ||
      (x.key < y.key ? -1 : x.key > y.key ? 1 : 0),
  );
}

/**
 * Compares trace A with trace B: per span type (`db`), per service (`nova-api`) and per
 * operation (`db: SELECT * FROM instances …`, labelled as the report rows are), the count, total
 * and self time in each, and the deltas B − A, sorted by |delta|. Keys present in one trace only
 * get zeros on the other side. Iterative; never throws for report-shaped input.
 * @since 0.2.0
 */
export function compareReports(a: Report, b: Report): TraceComparison {
  const left = collect(a);
  const right = collect(b);
  return {
    a: left.summary,
    b: right.summary,
    byType: merge(left.tables[0], right.tables[0]),
    byService: merge(left.tables[1], right.tables[1]),
    byOperation: merge(left.tables[2], right.tables[2]),
  };
}
