// Per-point timing state of ReportBuilder (typed columns, no object per point) and the helpers that read a stored record's fields.

/** Bits of {@link PointTimes.flags}. */
export const HAS_STARTED = 1;
export const HAS_FINISHED = 2;
/** The point's node (and its `info`) belongs to a report returned by build(). */
export const HANDED_OUT = 4;

/**
 * Start/stop times and flags of every point, indexed by its position in first-seen order.
 * why: one object per point cost ~11 MB and a copy by each scavenge per 100k spans; columns
 * hold the same numbers in a few arrays that grow by doubling.
 */
export class PointTimes {
  /** Seconds relative to the builder's first accepted record (a double: a trace may span centuries). */
  startedS = new Float64Array(64);
  startedUs = new Int32Array(64);
  finishedS = new Float64Array(64);
  finishedUs = new Int32Array(64);
  flags = new Uint8Array(64);

  /** Makes room for point `index` (its slots start zeroed: not started, not finished). */
  ensure(index: number): void {
    if (index < this.flags.length) return;
    const size = this.flags.length * 2;
    this.startedS = grow(this.startedS, new Float64Array(size));
    this.startedUs = grow(this.startedUs, new Int32Array(size));
    this.finishedS = grow(this.finishedS, new Float64Array(size));
    this.finishedUs = grow(this.finishedUs, new Int32Array(size));
    this.flags = grow(this.flags, new Uint8Array(size));
  }
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Prefix of the info key that holds a record's raw payload (`meta.raw_payload.<name>`). */
export const RAW_PAYLOAD_PREFIX = 'meta.raw_payload.';

/**
 * A copy of an info object that a returned report holds, without the `started` / `finished`
 * keys build() appended to a point that has no start / stop (they get their first-seen place again).
 */
export function unshare(info: Record<string, unknown>, flags: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(info)) {
    if ((key === 'started' && !(flags & HAS_STARTED)) || (key === 'finished' && !(flags & HAS_FINISHED))) continue;
    out[key] = info[key];
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The host a record's `info` names, or null when it has none. */
export function hostOfInfo(info: unknown): unknown {
  // why: Python raises KeyError here and the report fails; a null host keeps the key in place.
  return isObject(info) && Object.hasOwn(info, 'host') ? info.host : null;
}

/** Python: "None" unless the payload has `info`, then `info.get("etype", "None")`. */
export function exceptionOf(rawPayload: unknown): unknown {
  if (!isObject(rawPayload) || !Object.hasOwn(rawPayload, 'info')) return 'None';
  const info = rawPayload.info;
  // why: a non-dict info makes Python raise AttributeError; we report no exception instead.
  if (!isObject(info) || !Object.hasOwn(info, 'etype') || info.etype === undefined) return 'None';
  return info.etype;
}
