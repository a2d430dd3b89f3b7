// Process-wide switch and keys for incoming-request tracing (Python's osprofiler.web.enable/disable).
import { parseHmacKeys } from '../propagation/headers.js';

/** What web middleware reads on each request. */
export interface WebTraceState {
  /** `undefined` until enable/disable is first called: a middleware then uses its own `enabled` option. */
  readonly enabled: boolean | undefined;
  /** Keys from `enableWebTrace`; when non-empty they win over a middleware's own keys. */
  readonly hmacKeys: readonly string[];
}

const NO_KEYS: readonly string[] = Object.freeze([]);

// why: one frozen object swapped on change, so the per-request read allocates nothing.
let state: WebTraceState = Object.freeze({ enabled: undefined, hmacKeys: NO_KEYS });

/**
 * Turns incoming-request tracing on for every middleware in this process, with these keys
 * (comma-separated text is split and stripped; an array is taken as it is, like Python's
 * `utils.split`: see parseHmacKeys). No keys: middleware fall back to their own `hmacKeys` option. @since 0.1.0
 */
export function enableWebTrace(hmacKeys?: string | string[]): void {
  const keys = parseHmacKeys(hmacKeys);
  state = Object.freeze({ enabled: true, hmacKeys: keys.length === 0 ? NO_KEYS : Object.freeze(keys) });
}

/**
 * Turns incoming-request tracing off for every middleware, whatever their own options say.
 * The keys are kept, as in Python. @since 0.1.0
 */
export function disableWebTrace(): void {
  state = Object.freeze({ enabled: false, hmacKeys: state.hmacKeys });
}

/** The current process-wide state (a frozen object; never mutate it). @since 0.1.0 */
export function webTraceState(): WebTraceState {
  return state;
}

/** Back to "never set" (for tests). @since 0.1.0 */
export function resetWebTrace(): void {
  state = Object.freeze({ enabled: undefined, hmacKeys: NO_KEYS });
}
