// Per-point state of ReportBuilder and the helpers that read a stored record's fields into it.

/** One trace point (all records of one trace_id) as ReportBuilder accumulates it. */
export interface PointState {
  // why: the info object is filled in Python's key order as records arrive; `started` and
  // `finished` hold placeholders there (their values live below) so build() can fill them in
  // place. Once a build has handed the object out, it is copied before being changed again.
  info: Record<string, unknown>;
  traceId: unknown;
  parentId: unknown;
  hasStarted: boolean;
  startedS: number;
  startedUs: number;
  hasFinished: boolean;
  finishedS: number;
  finishedUs: number;
  /** `info` belongs to a report returned by build(). */
  handedOut: boolean;
  /** Position in first-seen order. */
  index: number;
}

/** Prefix of the info key that holds a record's raw payload (`meta.raw_payload.<name>`). */
export const RAW_PAYLOAD_PREFIX = 'meta.raw_payload.';

/**
 * Gives a point its own copy of an info object that a returned report holds, without the
 * `started` / `finished` keys build() appended (they get their first-seen place again).
 */
export function unshare(point: PointState): void {
  const out: Record<string, unknown> = {};
  const info = point.info;
  for (const key of Object.keys(info)) {
    if ((key === 'started' && !point.hasStarted) || (key === 'finished' && !point.hasFinished)) continue;
    out[key] = info[key];
  }
  point.info = out;
  point.handedOut = false;
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
