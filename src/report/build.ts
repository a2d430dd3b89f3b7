// Turns one trace's stored notifications into the report tree + stats, exactly as Python's drivers/base.py does.
import { debug } from '../log.js';
import {
  exceptionOf,
  HANDED_OUT,
  HAS_FINISHED,
  HAS_STARTED,
  hostOfInfo,
  PointTimes,
  RAW_PAYLOAD_PREFIX,
  unshare,
} from './build-point.js';
import { buildTree, statsObject, type Stats } from './build-tree.js';
import { IdIndex } from './id-index.js';
import { msBetweenParts, TimestampReader } from '../propagation/timestamp.js';
import { rememberReportStart } from './start-time.js';
import type { Report, ReportNode, StoredNotification } from './types.js';

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
  /** trace_id → index of its point (first-seen order). */
  readonly #index = new IdIndex();
  /** One node per point, in first-seen order; its info is filled in Python's key order as records arrive. */
  readonly #nodes: PointNode[] = [];
  readonly #times = new PointTimes();
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
  // why: seconds are kept relative to the first accepted record's, so they stay small numbers.
  #epochS: number | undefined;
  // why: reusing one `meta.raw_payload.<name>` string (and one short name) per name spares V8
  // building and internalising a fresh property key for every record (measurable at 100k spans).
  readonly #rawKeys = new Map<string, string>();
  readonly #shortNames = new Map<string, string>();
  // why: a stop usually closes the span started last (nested or sequential spans), so the points
  // started and not yet stopped are checked from the top before the map (one string compare
  // instead of hashing the trace id); a miss falls back to the map, so any order stays correct.
  #open: number[] = [];
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
    let point = this.#findOpen(traceId);
    if (point < 0) point = this.#index.get(traceId);
    if (point < 0) {
      // why: hostOf and the record's getters may throw; the id is indexed only once its point exists.
      const host =
        overrides && 'host' in overrides ? overrides.host : opts.hostOf ? opts.hostOf(record) : hostOfInfo(record.info);
      point = this.#newPoint(name, traceId, record.parent_id, record.project, record.service, host);
      this.#index.getOrAdd(traceId);
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
    // why: one probe finds the point or reserves the index of the point created next (nothing between can throw).
    let point = this.#findOpen(key);
    if (point < 0) point = this.#index.getOrAdd(key);
    if (point < 0) point = this.#newPoint(name, key, parentId, project, service, host);
    this.#record(point, name, rawPayload);
    return true;
  }

  /** The index of `traceId`'s point if it is the last started open one (taken off the stack), else -1. */
  #findOpen(traceId: unknown): number {
    const open = this.#open;
    const top = open.length - 1;
    return top >= 0 && this.#nodes[open[top]!]!.trace_id === traceId ? open.pop()! : -1;
  }

  #newPoint(
    name: string,
    traceId: unknown,
    parentId: unknown,
    project: unknown,
    service: unknown,
    host: unknown,
  ): number {
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
    const index = this.#nodes.length;
    // name, project, service, host and parent_id come from the first record seen (Python).
    this.#nodes.push({
      info: {
        name: shortName,
        project: project === undefined ? null : project,
        service: service === undefined ? null : service,
        host: host === undefined ? null : host,
      },
      trace_id: traceId,
      parent_id: parentId === undefined ? null : parentId,
      children: [],
    });
    this.#times.ensure(index);
    // why: bounded, so points that are never stopped cannot make it grow with the trace.
    if (this.#open.length >= 1024) this.#open = [];
    this.#open.push(index);
    return index;
  }

  /** Adds one accepted record (its timestamp is in #time) to point `i` and the trace extremes. */
  #record(i: number, name: string, rawPayload: unknown): void {
    const times = this.#times;
    let flags = times.flags[i]!;
    const node = flags & HANDED_OUT ? this.#unshare(i, flags) : this.#nodes[i]!;
    const info = node.info;
    let rawKey = this.#rawKeys.get(name);
    if (rawKey === undefined) this.#rawKeys.set(name, (rawKey = RAW_PAYLOAD_PREFIX + name));
    info[rawKey] = rawPayload;
    const us = this.#time.micros;
    const s = this.#time.seconds - (this.#epochS ??= this.#time.seconds);
    if (name.endsWith('stop')) {
      times.finishedS[i] = s;
      times.finishedUs[i] = us;
      flags |= HAS_FINISHED;
      info.finished = null;
      info.exception = exceptionOf(rawPayload);
    } else {
      times.startedS[i] = s;
      times.startedUs[i] = us;
      flags |= HAS_STARTED;
      info.started = null;
      if (!this.#hasLastStarted || s > this.#lastStartedS || (s === this.#lastStartedS && us > this.#lastStartedUs)) {
        this.#hasLastStarted = true;
        this.#lastStartedS = s;
        this.#lastStartedUs = us;
      }
    }
    times.flags[i] = flags & ~HANDED_OUT;
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

  /** Point `i`'s node and info as fresh copies, for a point whose node a returned report holds. */
  #unshare(i: number, flags: number): PointNode {
    const old = this.#nodes[i]!;
    this.#times.flags[i] = flags & ~HANDED_OUT;
    return (this.#nodes[i] = {
      info: unshare(old.info, flags),
      trace_id: old.trace_id,
      parent_id: old.parent_id,
      children: [],
    });
  }

  /** Builds the report from everything added so far (linear apart from sorting siblings; no recursion). */
  build(): Report {
    const nodes = this.#nodes;
    const times = this.#times;
    const stats = new Map<string, Stats>();
    const fromS = this.#startedAtS;
    const fromUs = this.#startedAtUs;
    for (let i = 0; i < nodes.length; i++) {
      const flags = times.flags[i]!;
      const node = flags & HANDED_OUT ? this.#unshare(i, flags) : nodes[i]!;
      times.flags[i] = flags | HANDED_OUT;
      // a point has at least one of started/finished; the missing one takes the other's time
      const opStarted =
        flags & HAS_STARTED
          ? msBetweenParts(fromS, fromUs, times.startedS[i]!, times.startedUs[i]!)
          : msBetweenParts(fromS, fromUs, times.finishedS[i]!, times.finishedUs[i]!);
      const opFinished =
        flags & HAS_FINISHED
          ? msBetweenParts(fromS, fromUs, times.finishedS[i]!, times.finishedUs[i]!)
          : msBetweenParts(fromS, fromUs, times.startedS[i]!, times.startedUs[i]!);
      // Python appends the missing one after every other key: assigning a new key does that.
      const info = node.info;
      info.started = opStarted;
      info.finished = opFinished;
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
      children: buildTree(nodes as ReportNode[], this.#index),
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

/** A report node while its point accumulates records (`info` lacks `started` / `finished` values until build). */
interface PointNode {
  info: Record<string, unknown>;
  trace_id: unknown;
  parent_id: unknown;
  children: ReportNode[];
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
