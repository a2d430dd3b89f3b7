// Turns one trace's stored notifications into the report tree + stats, exactly as Python's drivers/base.py does.
import { debug } from '../log.js';
import { compareTimestamps, msBetween, parseTimestampParts, type TimestampParts } from './timestamp.js';
import type { Report, ReportNode, ReportNodeInfo, StoredNotification } from './types.js';

/** Why a record was left out of the report (Python would have failed the whole report instead). */
export type SkipReason = 'not-an-object' | 'bad-name' | 'bad-timestamp';

/** Per-record values that replace what is read from the record itself. */
export interface RecordOverrides {
  /** The node's host (default: `record.info.host`; the SQL driver passes its `host` column). */
  host?: unknown;
  /** The `meta.raw_payload.<name>` value (default: the record; SQL passes its decoded `data` dict). */
  rawPayload?: unknown;
}

/** Options of {@link ReportBuilder} and {@link buildReport}. */
export interface ReportBuilderOptions {
  /**
   * Host of a record, for stores that keep it outside `info.host` (SQL's `host` column). Asked
   * for the first record of each trace_id only: the node keeps the first record's host (Python).
   */
  hostOf?: (record: StoredNotification) => unknown;
  /** Raw payload of a record (default: the record itself). */
  rawPayloadOf?: (record: StoredNotification) => unknown;
  /** Told about every record left out (bad timestamp, name that is not a string, not an object). */
  onSkip?: (record: unknown, reason: SkipReason) => void;
}

interface PointState {
  // why: the info object is filled in Python's key order as records arrive; `started` and
  // `finished` hold placeholders there (their values live below) so build() can copy in order.
  info: Record<string, unknown>;
  traceId: unknown;
  parentId: unknown;
  started?: TimestampParts;
  finished?: TimestampParts;
}

type Stats = Report['stats'][string];

const RAW_PAYLOAD_PREFIX = 'meta.raw_payload.';

/**
 * Accumulates stored notifications (in the order the store returns them) and builds the report.
 *
 * Where Python raises, this never throws: a record whose timestamp strptime rejects, whose name
 * is not a string, or that is not an object is skipped (counted in {@link skipped}, passed to
 * `onSkip`); a missing `info.host` gives `host: null`; a trace with no start gives
 * `last_trace_started: null` (as the upstream head does); a parent cycle (a point that is its own
 * ancestor) is cut at its earliest-seen point, which becomes top-level and keeps its `parent_id`.
 * `build()` can be called again after more `add()`s; raw payloads are shared, not copied.
 * @since 0.1.0
 */
export class ReportBuilder {
  readonly #points = new Map<unknown, PointState>();
  readonly #options: ReportBuilderOptions;
  #startedAt: TimestampParts | undefined;
  #finishedAt: TimestampParts | undefined;
  #lastStartedAt: TimestampParts | undefined;
  #skipped = 0;
  // why: reusing one `meta.raw_payload.<name>` string per name spares V8 building and
  // internalising a fresh property key for every record (measurable at 100k spans).
  readonly #rawKeys = new Map<string, string>();

  constructor(options: ReportBuilderOptions = {}) {
    this.#options = options;
  }

  /** Number of records left out so far (see the class description). */
  get skipped(): number {
    return this.#skipped;
  }

  /**
   * Feeds one stored record; returns false when it was skipped. `overrides` win over the
   * `hostOf` / `rawPayloadOf` options, which win over `record.info.host` / the record itself.
   */
  add(record: StoredNotification, overrides?: RecordOverrides): boolean {
    if (record === null || typeof record !== 'object') return this.#skip(record, 'not-an-object');
    const ts = parseTimestampParts(record.timestamp);
    if (ts === undefined) return this.#skip(record, 'bad-timestamp');
    const name = record.name;
    if (typeof name !== 'string') return this.#skip(record, 'bad-name');

    const opts = this.#options;
    const rawPayload =
      overrides && 'rawPayload' in overrides
        ? overrides.rawPayload
        : opts.rawPayloadOf
          ? opts.rawPayloadOf(record)
          : record;
    const traceId = orNull(record.trace_id);
    let point = this.#points.get(traceId);
    if (point === undefined) {
      const host =
        overrides && 'host' in overrides ? overrides.host : opts.hostOf ? opts.hostOf(record) : hostOfInfo(record.info);
      // name, project, service, host and parent_id come from the first record seen (Python).
      const info: Record<string, unknown> = {
        name: name.split('-')[0],
        project: orNull(record.project),
        service: orNull(record.service),
        host: orNull(host),
      };
      point = { info, traceId, parentId: orNull(record.parent_id) };
      this.#points.set(traceId, point);
    }
    const info = point.info;
    let rawKey = this.#rawKeys.get(name);
    if (rawKey === undefined) this.#rawKeys.set(name, (rawKey = RAW_PAYLOAD_PREFIX + name));
    info[rawKey] = rawPayload;
    if (name.endsWith('stop')) {
      point.finished = ts;
      info.finished = null;
      info.exception = exceptionOf(rawPayload);
    } else {
      point.started = ts;
      info.started = null;
      if (this.#lastStartedAt === undefined || compareTimestamps(ts, this.#lastStartedAt) > 0) this.#lastStartedAt = ts;
    }
    if (this.#startedAt === undefined || compareTimestamps(ts, this.#startedAt) < 0) this.#startedAt = ts;
    if (this.#finishedAt === undefined || compareTimestamps(ts, this.#finishedAt) > 0) this.#finishedAt = ts;
    return true;
  }

  /** Builds the report from everything added so far (linear apart from sorting siblings; no recursion). */
  build(): Report {
    const startedAt = this.#startedAt;
    const points = [...this.#points.values()];
    const nodes: ReportNode[] = new Array(points.length);
    const stats = new Map<string, Stats>();
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      // startedAt is set whenever a point exists; a point has at least one of started/finished.
      const opStarted = msBetween(startedAt as TimestampParts, (p.started ?? p.finished) as TimestampParts);
      const opFinished = msBetween(startedAt as TimestampParts, (p.finished ?? p.started) as TimestampParts);
      nodes[i] = {
        info: copyInfo(p, opStarted, opFinished),
        trace_id: p.traceId as string,
        parent_id: p.parentId as string,
        children: [],
      };
      const name = p.info.name as string;
      const duration = opFinished - opStarted;
      const entry = stats.get(name);
      if (entry === undefined) stats.set(name, { count: 1, duration });
      else {
        entry.count += 1;
        entry.duration += duration;
      }
    }

    const finished = startedAt && this.#finishedAt ? msBetween(startedAt, this.#finishedAt) : null;
    const lastStarted = startedAt && this.#lastStartedAt ? msBetween(startedAt, this.#lastStartedAt) : null;
    if (this.#skipped > 0) debug('report: %d stored record(s) skipped (unparsable timestamp or name)', this.#skipped);
    return {
      // why: Python's `finished` is None for an empty trace; types.ts only admits a number.
      info: { name: 'total', started: 0, finished: finished as number, last_trace_started: lastStarted },
      children: this.#buildTree(points, nodes),
      stats: statsObject(stats),
    };
  }

  #buildTree(points: PointState[], nodes: ReportNode[]): ReportNode[] {
    const indexOf = new Map<unknown, number>();
    for (let i = 0; i < points.length; i++) indexOf.set(points[i].traceId, i);
    const parent = new Int32Array(points.length);
    for (let i = 0; i < points.length; i++) parent[i] = indexOf.get(points[i].parentId) ?? -1;
    breakCycles(parent);

    const roots: ReportNode[] = [];
    for (let i = 0; i < nodes.length; i++) {
      if (parent[i] < 0) roots.push(nodes[i]);
      else nodes[parent[i]].children.push(nodes[i]);
    }
    // why: Python sorts with a stable sort on the already-truncated ms start, so same-ms
    // siblings keep first-seen order; Array.prototype.sort is stable too.
    const byStart = (a: ReportNode, b: ReportNode): number => a.info.started - b.info.started;
    for (const node of nodes) if (node.children.length > 1) node.children.sort(byStart);
    return roots.sort(byStart);
  }

  #skip(record: unknown, reason: SkipReason): false {
    this.#skipped++;
    this.#options.onSkip?.(record, reason);
    return false;
  }
}

/**
 * Builds the report of one trace from its stored records, fed in storage read order (Redis:
 * `LRANGE` order, newest write first). Output is key-for-key what Python's `get_report()`
 * returns; see {@link ReportBuilder} for what happens where Python raises. Never throws for bad
 * records. SQL-style stores pass `hostOf` / `rawPayloadOf`.
 * @since 0.1.0
 */
export function buildReport(notifications: Iterable<StoredNotification>, options?: ReportBuilderOptions): Report {
  const builder = new ReportBuilder(options);
  for (const record of notifications) builder.add(record);
  return builder.build();
}

function orNull(value: unknown): unknown {
  return value === undefined ? null : value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function hostOfInfo(info: unknown): unknown {
  // why: Python raises KeyError here and the report fails; a null host keeps the key in place.
  return isObject(info) && Object.hasOwn(info, 'host') ? info.host : null;
}

/** Python: "None" unless the payload has `info`, then `info.get("etype", "None")`. */
function exceptionOf(rawPayload: unknown): unknown {
  if (!isObject(rawPayload) || !Object.hasOwn(rawPayload, 'info')) return 'None';
  const info = rawPayload.info;
  // why: a non-dict info makes Python raise AttributeError; we report no exception instead.
  if (!isObject(info) || !Object.hasOwn(info, 'etype') || info.etype === undefined) return 'None';
  return info.etype;
}

function copyInfo(point: PointState, opStarted: number, opFinished: number): ReportNodeInfo {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(point.info)) {
    out[key] = key === 'started' ? opStarted : key === 'finished' ? opFinished : point.info[key];
  }
  // Python appends the missing one after every other key.
  if (point.started === undefined) out.started = opStarted;
  if (point.finished === undefined) out.finished = opFinished;
  return out as ReportNodeInfo;
}

function statsObject(stats: Map<string, Stats>): Report['stats'] {
  const out: Report['stats'] = {};
  for (const [name, entry] of stats) {
    // why: a point named "__proto__" must become an own key, not replace the prototype.
    Object.defineProperty(out, name, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Cuts every cycle in a parent-index array (each node has at most one parent) by making the
 * cycle's earliest node a root. Python would nest such nodes into themselves and then fail
 * rendering; iterative and linear: each node is walked once.
 */
function breakCycles(parent: Int32Array): void {
  const state = new Uint8Array(parent.length); // 0 new, 1 on the current walk, 2 done
  const path: number[] = [];
  for (let start = 0; start < parent.length; start++) {
    if (state[start] !== 0) continue;
    let j = start;
    while (j >= 0 && state[j] === 0) {
      state[j] = 1;
      path.push(j);
      j = parent[j];
    }
    if (j >= 0 && state[j] === 1) {
      // j is on this walk: the cycle is path[from..end]
      let earliest = j;
      for (let k = path.length - 1; path[k] !== j; k--) if (path[k] < earliest) earliest = path[k];
      parent[earliest] = -1;
    }
    for (const k of path) state[k] = 2;
    path.length = 0;
  }
}
