// The trace context as it travels between services, and the one rule for what a received one may hold.

/**
 * Trace context in wire names: what signed headers carry (plus the key that verified them) and
 * what Python services put in RPC message contexts under `trace_info`.
 * @since 0.1.0
 */
export interface TraceContext {
  /** The key it is (or was verified) signed with; `''` when the sender's profiler has none. */
  hmac_key?: string;
  /** The trace id. */
  base_id: string;
  /** The sender's current span, which becomes the parent of what the receiver records. */
  parent_id?: string;
}

/** A context read from signed headers: the configured key that verified it is always known. */
export type VerifiedTraceContext = TraceContext & { hmac_key: string };

/**
 * True when a received object holds no keys but `base_id`, `parent_id` and `hmac_key`.
 * why: Python's middleware and context serializers call `profiler.init(**trace_info)`, which fails
 * on any other key; accepting only these keeps a sender from smuggling fields into our profiler.
 */
export function hasOnlyTraceContextKeys(record: object): boolean {
  // why: for-in plus the own-property check sees the keys Object.keys lists, without allocating
  // its array (every traced request checks one).
  for (const key in record) {
    if (key !== 'base_id' && key !== 'parent_id' && key !== 'hmac_key' && Object.hasOwn(record, key)) return false;
  }
  return true;
}
