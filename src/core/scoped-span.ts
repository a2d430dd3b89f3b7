// The one scoped-span primitive: a trace point opened on a forked view of a profiler and stopped exactly once.
import type { TraceInfo } from './payload.js';
import type { OpenPoint, Profiler } from './profiler.js';

/**
 * One trace point of a traced call, query, request or client request. Opening it forks the
 * caller's profiler, so concurrent siblings never share a stack, and starts the point on the fork;
 * `stop()` sends the stop notification the first time only.
 * @since 0.2.0
 */
export class ScopedSpan {
  /** The view with this point on top: nested work runs in it and parents under this point. */
  readonly profiler: Profiler;
  // why: the point itself, stopped by `stopPoint`, so work that leaves imperative points open on
  // `profiler` cannot make us stop one of those instead of ours.
  #point: OpenPoint | undefined;
  // why: a profiler of an older installed copy of the package has no openPoint/stopPoint; a second
  // fork taken right after start holds this point's own frame there instead.
  #closer: Profiler | undefined;

  /**
   * `owned` (the web entry points): `parent` was made for this span alone and `info` for this
   * start alone, so the span opens on `parent` itself and `info` gets `host` in place; neither
   * needs the fork or the copy that protect what a caller shares.
   */
  constructor(parent: Profiler, name: string, info?: TraceInfo, owned = false) {
    const view = owned ? parent : parent.fork();
    if (owned && info !== undefined) view.startOwned(name, info);
    else view.start(name, info);
    this.profiler = view;
    if (typeof view.openPoint === 'function') this.#point = view.openPoint();
    else this.#closer = view.fork();
  }

  /** True until the point was stopped. */
  get open(): boolean {
    return this.#point !== undefined || this.#closer !== undefined;
  }

  /**
   * Sends the stop notification; false (and nothing sent) when it was already stopped. `owned`:
   * `info` was made for this stop alone and gets `host` in place instead of being copied.
   */
  stop(info?: TraceInfo, owned = false): boolean {
    const point = this.#point;
    const closer = this.#closer;
    if (point === undefined && closer === undefined) return false;
    this.#point = undefined;
    this.#closer = undefined;
    if (point !== undefined) this.profiler.stopPoint(point, info, owned);
    else closer!.stop(info);
    return true;
  }
}
