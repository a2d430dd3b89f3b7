// The profiler of one trace in one async context: a stack of open trace points.
import { utcTimestamp } from '../propagation/timestamp.js';
import { getHostname } from './host.js';
import { uuid4, getShortenId } from './ids.js';
import { notify, notifyWith, type NotifyFn } from '../notifier/notifier.js';
import { buildNotification, withHost, type Notification, type TraceInfo } from './payload.js';

/** The notification names of one point name, built once. */
interface PointNames {
  readonly start: string;
  readonly stop: string;
}

/** An open trace point, as `Profiler.openPoint()` hands it out (opaque outside this file). */
export interface OpenPoint {
  readonly id: string;
}

/** One entry of the span stack; frames are immutable and shared between forked views. */
interface Frame {
  readonly id: string;
  /** Notification names; undefined for the two root frames (base id and received parent id). */
  readonly names: PointNames | undefined;
  readonly parent: Frame | undefined;
}

// why: a service uses a handful of point names; caching `<name>-start`/`<name>-stop` saves two
// string allocations per span. Bounded, so arbitrary names cannot grow it without limit.
const namesCache = new Map<string, PointNames>();
const NAMES_CACHE_LIMIT = 512;

function pointNames(name: string): PointNames {
  let names = namesCache.get(name);
  if (names === undefined) {
    names = { start: `${name}-start`, stop: `${name}-stop` };
    if (namesCache.size < NAMES_CACHE_LIMIT) namesCache.set(name, names);
  }
  return names;
}

/**
 * What a profiler shares with every view forked from it: whether clean() ended the trace that
 * init() started, and whether outgoing HTTP inside it carries trace headers (startTrace).
 */
export interface ProfilerScope {
  /** Set by clean() on a profiler that init() made: every context holding it sees no trace. */
  ended: boolean;
  /** True for profilers that init() made (clean() ends those for every context). */
  endsOnClean: boolean;
  /** Outgoing fetch/undici and node:http requests in this trace carry headers without traceRequests(). */
  traceRequests: boolean;
  /** Where this trace's notifications go instead of the process-wide notifier (startTrace in a script without one). */
  sink: NotifyFn | undefined;
}

/**
 * Where a profiler keeps its ProfilerScope.
 * why: Symbol.for, because the scope is part of the context-slot protocol: two installed copies
 * of the package share the AsyncLocalStorage (context.ts) and must read each other's profilers.
 */
export const kScope: unique symbol = Symbol.for('osprofiler.profiler-scope.v1');

function send(profiler: Profiler, payload: Notification): void {
  const sink = profiler[kScope].sink;
  if (sink === undefined) notify(payload);
  else notifyWith(sink, payload);
}

/**
 * Python's `_Profiler`. Imperative `start`/`stop` keep Python's sequential semantics; the scoped
 * helpers (`trace`, `withTrace`) run each traced call in a forked view so that concurrent
 * siblings never see each other's open points.
 * @since 0.1.0
 */
export class Profiler {
  /** The HMAC key this trace was started or accepted with (signs outgoing headers). */
  readonly hmacKey: string | undefined;
  private readonly baseId: string;
  private readonly host: string;
  private top: Frame;
  /** @internal Shared with forked views (see ProfilerScope). */
  [kScope]: ProfilerScope;

  constructor(hmacKey: string | undefined, baseId?: string | null, parentId?: string | null) {
    this.hmacKey = hmacKey;
    this.baseId = baseId || uuid4();
    this.host = getHostname();
    const base: Frame = { id: this.baseId, names: undefined, parent: undefined };
    this.top = { id: parentId || this.baseId, names: undefined, parent: base };
    this[kScope] = { ended: false, endsOnClean: false, traceRequests: false, sink: undefined };
  }

  /** The trace's id (Python `get_base_id`). */
  getBaseId(): string {
    return this.baseId;
  }

  /** The id of the point that contains the current one (second from the top of the stack). */
  getParentId(): string {
    return this.top.parent?.id ?? this.baseId;
  }

  /** The id of the innermost open point (or the received parent id when none is open). */
  getId(): string {
    return this.top.id;
  }

  /** The low 64 bits of a uuid as unpadded hex (Python `get_shorten_id`). */
  getShortenId(uuid: string): string {
    return getShortenId(uuid);
  }

  /** Opens a point: pushes a new id and sends `<name>-start`. Never throws. */
  start(name: string, info?: TraceInfo | null): void {
    this.open(name, withHost(info, this.host));
  }

  /**
   * @internal `start` with an info object made for this point alone: `host` is added to it in
   * place. why: saves the copy that protects a caller's own object, on the request path.
   */
  startOwned(name: string, info: TraceInfo): void {
    info.host = this.host;
    this.open(name, info);
  }

  private open(name: string, info: TraceInfo): void {
    const names = pointNames(name);
    const frame: Frame = { id: uuid4(), names, parent: this.top };
    this.top = frame;
    send(this, buildNotification(names.start, this.baseId, frame.id, this.getParentId(), utcTimestamp(), info));
  }

  /** Closes the innermost open point with `<name>-stop`; does nothing when none is open. */
  stop(info?: TraceInfo | null): void {
    const frame = this.top;
    if (frame.names === undefined) return;
    this.close(frame, withHost(info, this.host));
    this.top = frame.parent!;
  }

  /**
   * @internal The innermost open point (undefined when none is open), for `stopPoint`.
   * why: a scoped span stops its own point even when the code it wraps left others open on top.
   */
  openPoint(): OpenPoint | undefined {
    return this.top.names === undefined ? undefined : this.top;
  }

  /**
   * @internal Sends the stop of `point` (from `openPoint()` of this view or one it was forked
   * from); this view's stack is left as it is. `owned`: `info` was made for this stop alone and
   * gets `host` in place instead of being copied.
   */
  stopPoint(point: OpenPoint, info: TraceInfo | undefined, owned: boolean): void {
    const frame = point as Frame;
    if (owned && info !== undefined) info.host = this.host;
    this.close(frame, owned && info !== undefined ? info : withHost(info, this.host));
  }

  private close(frame: Frame, info: TraceInfo): void {
    const parentId = frame.parent?.id ?? this.baseId;
    send(this, buildNotification(frame.names!.stop, this.baseId, frame.id, parentId, utcTimestamp(), info));
  }

  /**
   * A view of the same trace starting at the current point, with a stack of its own.
   * why: scoped tracing runs each call in its own view, so `Promise.all` siblings each push onto
   * their own stack and report the right parent.
   */
  fork(): Profiler {
    const view = Object.create(Profiler.prototype) as Profiler;
    (view as { hmacKey: string | undefined }).hmacKey = this.hmacKey;
    (view as unknown as { baseId: string }).baseId = this.baseId;
    (view as unknown as { host: string }).host = this.host;
    view.top = this.top;
    view[kScope] = this[kScope];
    return view;
  }
}
