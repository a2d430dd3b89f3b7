// Exports a report as Chrome trace-event JSON, which Perfetto, chrome://tracing and speedscope open.
import { compareTimestamps, parseTimestampParts, type TimestampParts } from '../propagation/timestamp.js';
import { payloadInfo, spanDetail, spanError, spanPayloads, spanService, walkReport } from './span-label.js';
import type { Report, ReportNode } from './types.js';

/**
 * How deep `args` may nest. why: JSON.stringify recurses, and info nested thousands of levels
 * deep (hostile or broken data) overflowed the stack; viewers show no more than a few levels.
 */
const MAX_ARGS_DEPTH = 64;

/** `value` with containers deeper than `depth` levels replaced by a note (a copy; never recurses deeper). */
function capDepth(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth <= 0) return `(nested deeper than ${MAX_ARGS_DEPTH} levels: left out)`;
  if (Array.isArray(value)) return value.map((v) => capDepth(v, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = capDepth(v, depth - 1);
  return out;
}

/** One event of the trace-event format (complete `X` events and `M` metadata). */
export interface TraceEvent {
  name: string;
  ph: 'X' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

/** The JSON object format of the trace-event spec. */
export interface TraceEventDocument {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, unknown>;
}

interface Span {
  node: ReportNode;
  depth: number;
  pid: number;
  startUs: number;
  endUs: number;
  tid?: number;
}

function micros(payload: Record<string, unknown> | undefined): TimestampParts | undefined {
  return payload === undefined ? undefined : parseTimestampParts(payload.timestamp);
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * Times in µs from the trace start. Uses the payloads' microsecond timestamps when every point
 * has them (Redis/Mongo-style stores keep whole payloads), else the report's whole milliseconds
 * (SQL stores keep only the leftover `data` dict, without timestamps).
 */
function assignTimes(spans: Span[]): 'us' | 'ms' {
  const parts: { start?: TimestampParts; stop?: TimestampParts }[] = [];
  let origin: TimestampParts | undefined;
  for (const span of spans) {
    const { start, stop } = spanPayloads(span.node.info as Record<string, unknown>);
    const p = { start: micros(start), stop: micros(stop) };
    if (p.start === undefined && p.stop === undefined) {
      for (const s of spans) {
        s.startUs = num(s.node.info.started) * 1000;
        s.endUs = num(s.node.info.finished) * 1000;
      }
      return 'ms';
    }
    parts.push(p);
    for (const t of [p.start, p.stop])
      if (t !== undefined && (origin === undefined || compareTimestamps(t, origin) < 0)) origin = t;
  }
  const o = origin as TimestampParts;
  const rel = (t: TimestampParts): number => (t.seconds - o.seconds) * 1_000_000 + (t.micros - o.micros);
  spans.forEach((span, i) => {
    const { start, stop } = parts[i];
    span.startUs = rel((start ?? stop) as TimestampParts);
    span.endUs = Math.max(span.startUs, rel((stop ?? start) as TimestampParts));
  });
  return 'us';
}

/**
 * Gives each span a thread (lane) of its process so that spans on one lane nest properly, as
 * the format requires: concurrent siblings get separate lanes, a child shares its parent's.
 */
function assignLanes(spans: Span[]): Map<number, number> {
  const byPid = new Map<number, Span[]>();
  for (const s of spans) {
    let list = byPid.get(s.pid);
    if (list === undefined) byPid.set(s.pid, (list = []));
    list.push(s);
  }
  const laneCount = new Map<number, number>();
  for (const [pid, list] of byPid) {
    list.sort((a, b) => a.startUs - b.startUs || b.endUs - a.endUs || a.depth - b.depth);
    const lanes: number[][] = []; // per lane: stack of open end times
    for (const span of list) {
      let placed = -1;
      for (let i = 0; i < lanes.length && placed < 0; i++) {
        const stack = lanes[i];
        // spans arrive in start order, so what ended by now never matters again on any lane
        while (stack.length > 0 && stack[stack.length - 1] <= span.startUs) stack.pop();
        if (stack.length === 0 || stack[stack.length - 1] >= span.endUs) placed = i;
      }
      if (placed < 0) {
        lanes.push([]);
        placed = lanes.length - 1;
      }
      lanes[placed].push(span.endUs);
      span.tid = placed + 1;
    }
    laneCount.set(pid, lanes.length);
  }
  return laneCount;
}

/**
 * The report as a trace-event document: one complete (`X`) event per trace point, one process
 * per `<project>-<service>@<host>`, lanes as threads so concurrent points do not overlap; `args`
 * carry ids, error and the start/stop info. Iterative; never throws for report-shaped input.
 * @since 0.1.0
 */
export function buildTraceEvents(report: Report): TraceEventDocument {
  const pids = new Map<string, number>();
  const spans: Span[] = [];
  walkReport(report?.children ?? [], (node, depth) => {
    const info = node.info as Record<string, unknown>;
    const host = typeof info.host === 'string' ? info.host : '';
    const process = `${spanService(info) || 'unknown'}${host ? `@${host}` : ''}`;
    let pid = pids.get(process);
    if (pid === undefined) pids.set(process, (pid = pids.size + 1));
    spans.push({ node, depth, pid, startUs: 0, endUs: 0 });
  });
  const unit = assignTimes(spans);
  const lanes = assignLanes(spans);

  const events: TraceEvent[] = [];
  for (const [process, pid] of pids) {
    events.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: process } });
    events.push({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: pid } });
    for (let tid = 1; tid <= (lanes.get(pid) ?? 0); tid++) {
      events.push({
        name: 'thread_name',
        ph: 'M',
        pid,
        tid,
        args: { name: tid === 1 ? 'spans' : `concurrent ${tid}` },
      });
    }
  }
  for (const span of spans) {
    const info = span.node.info as Record<string, unknown>;
    const name = String(info.name ?? '?');
    const detail = spanDetail(info);
    const error = spanError(info);
    const { start, stop } = spanPayloads(info);
    const args: Record<string, unknown> = {
      trace_id: span.node.trace_id,
      parent_id: span.node.parent_id,
      project: info.project,
      service: info.service,
      host: info.host,
    };
    if (detail !== undefined) args.detail = detail;
    if (error !== undefined) args.error = error;
    if (start !== undefined) args.start = capDepth(payloadInfo(start), MAX_ARGS_DEPTH);
    if (stop !== undefined) args.stop = capDepth(payloadInfo(stop), MAX_ARGS_DEPTH);
    events.push({
      name: detail === undefined ? name : `${name} ${detail.length > 80 ? `${detail.slice(0, 79)}…` : detail}`,
      cat: name,
      ph: 'X',
      ts: span.startUs,
      dur: span.endUs - span.startUs,
      pid: span.pid,
      tid: span.tid ?? 1,
      args,
    });
  }
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: { generator: 'osprofiler', precision: unit, finished_ms: report?.info?.finished ?? null },
  };
}

/**
 * The report as Chrome trace-event JSON text (see {@link buildTraceEvents}); open it in
 * https://ui.perfetto.dev, chrome://tracing or https://www.speedscope.app.
 * @since 0.1.0
 */
export function renderTraceEvent(report: Report): string {
  return JSON.stringify(buildTraceEvents(report));
}
