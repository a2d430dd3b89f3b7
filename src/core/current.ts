// The module-level profiler functions of Python's osprofiler.profiler: init, get, clean, start, stop.
import { currentProfiler, enterProfiler, runInProfiler } from './context.js';
import type { TraceInfo } from './payload.js';
import { Profiler } from './profiler.js';
import type { TraceContext } from './trace-context.js';

export type { TraceContext };

/**
 * Makes a profiler for the current async context unless one exists, and returns the current one
 * (an existing profiler is returned unchanged, as in Python). No baseId: a new trace id.
 * @since 0.1.0
 */
export function init(hmacKey: string | undefined, baseId?: string | null, parentId?: string | null): Profiler {
  const existing = currentProfiler();
  if (existing !== undefined) return existing;
  const profiler = new Profiler(hmacKey, baseId, parentId);
  enterProfiler(profiler);
  return profiler;
}

/** The profiler of the current async context, or undefined. @since 0.1.0 */
export function get(): Profiler | undefined {
  return currentProfiler();
}

/** Removes the profiler from the current async context. @since 0.1.0 */
export function clean(): void {
  if (currentProfiler() !== undefined) enterProfiler(undefined);
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
