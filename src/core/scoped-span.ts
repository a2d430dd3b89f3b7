// The one scoped-span primitive: a trace point opened on a forked view of a profiler and stopped exactly once.
import type { TraceInfo } from './payload.js';
import type { Profiler } from './profiler.js';

/**
 * One trace point of a traced call, query, request or client request. Opening it forks the
 * caller's profiler, so concurrent siblings never share a stack, and starts the point on the fork;
 * `stop()` sends the stop notification the first time only.
 * @since 0.2.0
 */
export class ScopedSpan {
  /** The view with this point on top: nested work runs in it and parents under this point. */
  readonly profiler: Profiler;
  // why: a second fork taken right after start holds this point's own frame, so work that leaves
  // imperative points open on `profiler` cannot make us stop one of those instead of ours.
  #closer: Profiler | undefined;

  constructor(parent: Profiler, name: string, info?: TraceInfo) {
    const view = parent.fork();
    view.start(name, info);
    this.profiler = view;
    this.#closer = view.fork();
  }

  /** True until the point was stopped. */
  get open(): boolean {
    return this.#closer !== undefined;
  }

  /** Sends the stop notification; false (and nothing sent) when it was already stopped. */
  stop(info?: TraceInfo): boolean {
    const closer = this.#closer;
    if (closer === undefined) return false;
    this.#closer = undefined;
    closer.stop(info);
    return true;
  }
}
