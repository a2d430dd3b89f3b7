// The module-level profiler functions of Python's osprofiler.profiler: init, get, clean, start, stop.
import { currentProfiler, enterProfiler, runInProfiler } from './context.js';
import type { TraceInfo } from './payload.js';
import { kScope, Profiler } from './profiler.js';
import type { TraceContext } from './trace-context.js';

export type { TraceContext };

/**
 * Makes a profiler for the current async context unless one exists, and returns the current one
 * (an existing profiler is returned unchanged, as in Python). No baseId: a new trace id.
 * The trace covers the rest of the calling code and everything it runs, including the caller of
 * an async function that called init(), until clean() ends it for all of them.
 * @since 0.1.0
 */
export function init(hmacKey: string | undefined, baseId?: string | null, parentId?: string | null): Profiler {
  const existing = currentProfiler();
  if (existing !== undefined) return existing;
  const profiler = new Profiler(hmacKey, baseId, parentId);
  profiler[kScope].endsOnClean = true;
  enterProfiler(profiler);
  return profiler;
}

/** The profiler of the current async context, or undefined. @since 0.1.0 */
export function get(): Profiler | undefined {
  return currentProfiler();
}

/**
 * Ends tracing here. A trace that init() started ends for every async context that inherited it
 * (Python's thread-local semantics: after `async function job() { init(k); await w(); clean(); }`
 * and `await job()`, the caller is untraced and nothing more is recorded). Inside a scoped form
 * (runWithProfiler, the middleware), only the rest of the current async flow leaves the trace;
 * concurrent code of the same scope keeps it.
 * @since 0.1.0
 */
export function clean(): void {
  const profiler = currentProfiler();
  if (profiler === undefined) return;
  // why: init() enters its profiler into the caller's context too (its synchronous prefix runs
  // there), and a later clean() in a continuation cannot reach that context; flagging the scope
  // that all views of this trace share does. Scoped profilers are only left locally, as before.
  const scope = profiler[kScope];
  if (scope !== undefined && scope.endsOnClean) scope.ended = true;
  enterProfiler(undefined);
}

/** Opens a trace point on the current profiler; does nothing without one. @since 0.1.0 */
export function start(name: string, info?: TraceInfo | null): void {
  currentProfiler()?.start(name, info);
}

/** Closes the innermost open trace point; does nothing without a profiler or an open point. @since 0.1.0 */
export function stop(info?: TraceInfo | null): void {
  currentProfiler()?.stop(info);
}

/**
 * Runs `fn` with a profiler as the current one: a Profiler, or trace context received from
 * another service (`{hmac_key, base_id, parent_id}`). The caller's context is untouched.
 * @since 0.1.0
 */
export function runWithProfiler<R>(profilerOrContext: Profiler | TraceContext, fn: () => R): R {
  const profiler =
    profilerOrContext instanceof Profiler
      ? profilerOrContext
      : new Profiler(profilerOrContext.hmac_key, profilerOrContext.base_id, profilerOrContext.parent_id);
  return runInProfiler(profiler, fn);
}
