// Turns one trace's stored notifications into the report tree + stats, exactly as Python's drivers/base.py does.
import { debug } from '../log.js';
import { exceptionOf, hostOfInfo, RAW_PAYLOAD_PREFIX, unshare, type PointState } from './build-point.js';
import { buildTree, statsObject, type Stats } from './build-tree.js';
import { msBetweenParts, TimestampReader } from '../propagation/timestamp.js';
import { rememberReportStart } from './start-time.js';
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

/**
 * Accumulates stored notifications (in the order the store returns them) and builds the report.
 *
 * Where Python raises, this never throws: a record whose timestamp strptime rejects, whose name
 * is not a string, or that is not an object is skipped (counted in {@link skipped}, passed to
 * `onSkip`); a missing `info.host` gives `host: null`; a trace with no start gives
 * `last_trace_started: null` (as the upstream head does); a parent cycle (a point that is its own
 * ancestor) is cut at its earliest-seen point, which becomes top-level and keeps its `parent_id`.
 * `build()` can be called again after more `add()`s (reports already returned do not change);
 * raw payloads are shared, not copied.
 * @since 0.1.0
 */
export class ReportBuilder {
  readonly #points = new Map<unknown, PointState>();
  /** The same points in first-seen order (`index` is the position). */
  readonly #order: PointState[] = [];
  readonly #options: ReportBuilderOptions;
  readonly #time = new TimestampReader();
  // Trace-wide extremes as epoch seconds + µs; `#has…` false until the first one is seen.
  #hasStartedAt = false;
  #startedAtS = 0;
  #startedAtUs = 0;
  #finishedAtS = 0;
  #finishedAtUs = 0;
  #hasLastStarted = false;
  #lastStartedS = 0;
  #lastStartedUs = 0;
  #skipped = 0;
  // why: seconds are kept relative to the first accepted record's, so they stay small integers
  // (Smis): epoch seconds exceed V8's 31-bit Smi range and would be boxed, two boxes per point.
  #epochS: number | undefined;
  // why: reusing one `meta.raw_payload.<name>` string (and one short name) per name spares V8
  // building and internalising a fresh property key for every record (measurable at 100k spans).
  readonly #rawKeys = new Map<string, string>();
  readonly #shortNames = new Map<string, string>();
  // why: a stop usually closes the span started last (nested or sequential spans), so the points
  // started and not yet stopped are checked from the top before the map (one string compare
  // instead of hashing the trace id); a miss falls back to the map, so any order stays correct.
  #open: PointState[] = [];
  // why: project, service, host and parent_id repeat from point to point; keeping the first
  // string of a run instead of each row's own copy leaves less for the garbage collector to move.
  #lastProject: unknown = null;
  #lastService: unknown = null;
  #lastHost: unknown = null;
  #lastParent: unknown = null;

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
    if (!this.#time.read(record.timestamp)) return this.#skip(record, 'bad-timestamp');
    const name = record.name;
    if (typeof name !== 'string') return this.#skip(record, 'bad-name');

    const opts = this.#options;
    const rawPayload =
      overrides && 'rawPayload' in overrides
        ? overrides.rawPayload
        : opts.rawPayloadOf
          ? opts.rawPayloadOf(record)
          : record;
    const traceId = record.trace_id === undefined ? null : record.trace_id;
    let point = this.#find(traceId);
    if (point === undefined) {
      const host =
        overrides && 'host' in overrides ? overrides.host : opts.hostOf ? opts.hostOf(record) : hostOfInfo(record.info);
      point = this.#newPoint(name, traceId, record.parent_id, record.project, record.service, host);
    }
    this.#record(point, name, rawPayload);
    return true;
  }

  /**
   * Feeds one record given as its fields, as SQL-style stores read them from columns (`host`
   * and `rawPayload` as {@link RecordOverrides} would give them): the same as
   * `add({name, timestamp, trace_id, parent_id, project, service}, {host, rawPayload})`
   * without building the record. Returns false when it was skipped (`onSkip` gets such a record).
   */
  addFields(
    timestamp: unknown,
    name: unknown,
    traceId: unknown,
    parentId: unknown,
    project: unknown,
    service: unknown,
    host: unknown,
    rawPayload: unknown,
  ): boolean {
    const accepted = this.#time.read(timestamp);
    if (!accepted || typeof name !== 'string') {
      const record = { name, trace_id: traceId, parent_id: parentId, timestamp, project, service };
      return this.#skip(record, accepted ? 'bad-name' : 'bad-timestamp');
    }
    const key = traceId === undefined ? null : traceId;
    const point = this.#find(key) ?? this.#newPoint(name, key, parentId, project, service, host);
    this.#record(point, name, rawPayload);
    return true;
  }

  /** The point of `traceId`, if seen: the last started open one first, then the map. */
  #find(traceId: unknown): PointState | undefined {
    const open = this.#open;
    const top = open.length - 1;
    if (top >= 0 && open[top]!.traceId === traceId) return open.pop();
    return this.#points.get(traceId);
  }

  #newPoint(
    name: string,
    traceId: unknown,
    parentId: unknown,
    project: unknown,
    service: unknown,
    host: unknown,
  ): PointState {
    let shortName = this.#shortNames.get(name);
    if (shortName === undefined) {
      const dash = name.indexOf('-');
      this.#shortNames.set(name, (shortName = dash < 0 ? name : name.slice(0, dash)));
    }
    if (project === this.#lastProject) project = this.#lastProject;
    else this.#lastProject = project;
    if (service === this.#lastService) service = this.#lastService;
    else this.#lastService = service;
    if (host === this.#lastHost) host = this.#lastHost;
    else this.#lastHost = host;
    if (parentId === this.#lastParent) parentId = this.#lastParent;
    else this.#lastParent = parentId;
    // name, project, service, host and parent_id come from the first record seen (Python).
    const point: PointState = {
      info: {
        name: shortName,
        project: project === undefined ? null : project,
        service: service === undefined ? null : service,
        host: host === undefined ? null : host,
      },
      traceId,
      parentId: parentId === undefined ? null : parentId,
      hasStarted: false,
      startedS: 0,
      startedUs: 0,
      hasFinished: false,
      finishedS: 0,
      finishedUs: 0,
      handedOut: false,
      index: this.#order.length,
    };
    this.#points.set(traceId, point);
    this.#order.push(point);
    // why: bounded, so points that are never stopped cannot make it grow with the trace.
    if (this.#open.length >= 1024) this.#open = [];
    this.#open.push(point);
    return point;
  }

  /** Adds one accepted record (its timestamp is in #time) to its point and the trace extremes. */
  #record(point: PointState, name: string, rawPayload: unknown): void {
    if (point.handedOut) unshare(point);
    const info = point.info;
    let rawKey = this.#rawKeys.get(name);
    if (rawKey === undefined) this.#rawKeys.set(name, (rawKey = RAW_PAYLOAD_PREFIX + name));
    info[rawKey] = rawPayload;
    const us = this.#time.micros;
    const s = this.#time.seconds - (this.#epochS ??= this.#time.seconds);
    if (name.endsWith('stop')) {
      point.hasFinished = true;
      point.finishedS = s;
      point.finishedUs = us;
      info.finished = null;
      info.exception = exceptionOf(rawPayload);
    } else {
      point.hasStarted = true;
      point.startedS = s;
      point.startedUs = us;
      info.started = null;
      if (!this.#hasLastStarted || s > this.#lastStartedS || (s === this.#lastStartedS && us > this.#lastStartedUs)) {
        this.#hasLastStarted = true;
        this.#lastStartedS = s;
        this.#lastStartedUs = us;
      }
    }
    if (!this.#hasStartedAt) {
      this.#hasStartedAt = true;
      this.#startedAtS = this.#finishedAtS = s;
      this.#startedAtUs = this.#finishedAtUs = us;
    } else if (s < this.#startedAtS || (s === this.#startedAtS && us < this.#startedAtUs)) {
      this.#startedAtS = s;
      this.#startedAtUs = us;
    } else if (s > this.#finishedAtS || (s === this.#finishedAtS && us > this.#finishedAtUs)) {
      this.#finishedAtS = s;
      this.#finishedAtUs = us;
    }
  }

  /** Builds the report from everything added so far (linear apart from sorting siblings; no recursion). */
  build(): Report {
    const points = this.#order;
    const nodes: ReportNode[] = new Array(points.length);
    const stats = new Map<string, Stats>();
    const fromS = this.#startedAtS;
    const fromUs = this.#startedAtUs;
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      if (p.handedOut) unshare(p);
      // a point has at least one of started/finished; the missing one takes the other's time
      const opStarted = p.hasStarted
        ? msBetweenParts(fromS, fromUs, p.startedS, p.startedUs)
        : msBetweenParts(fromS, fromUs, p.finishedS, p.finishedUs);
      const opFinished = p.hasFinished
        ? msBetweenParts(fromS, fromUs, p.finishedS, p.finishedUs)
        : msBetweenParts(fromS, fromUs, p.startedS, p.startedUs);
      // Python appends the missing one after every other key: assigning a new key does that.
      const info = p.info;
      info.started = opStarted;
      info.finished = opFinished;
      p.handedOut = true;
      nodes[i] = {
        info: info as ReportNodeInfo,
        trace_id: p.traceId as string,
        parent_id: p.parentId as string,
        children: [],
      };
      const name = info.name as string;
      const duration = opFinished - opStarted;
      const entry = stats.get(name);
      if (entry === undefined) stats.set(name, { count: 1, duration });
      else {
        entry.count += 1;
        entry.duration += duration;
      }
    }

    const has = this.#hasStartedAt;
    const finished = has ? msBetweenParts(fromS, fromUs, this.#finishedAtS, this.#finishedAtUs) : null;
    const lastStarted =
      has && this.#hasLastStarted ? msBetweenParts(fromS, fromUs, this.#lastStartedS, this.#lastStartedUs) : null;
    if (this.#skipped > 0) debug('report: %d stored record(s) skipped (unparsable timestamp or name)', this.#skipped);
    const report: Report = {
      // why: Python's `finished` is None for an empty trace; types.ts only admits a number.
      info: { name: 'total', started: 0, finished: finished as number, last_trace_started: lastStarted },
      children: buildTree(points, nodes, this.#points),
      stats: statsObject(stats),
    };
    if (has) rememberReportStart(report, (fromS + this.#epochS!) * 1000 + fromUs / 1000);
    return report;
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
