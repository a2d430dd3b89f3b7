// Options of the db integrations and the span lifecycle they share (open on a fork, stop once).
import { getGlobalConf, isDbTraceEnabled, isTraceEnabled } from '../../config/conf.js';
import { currentProfiler, runInProfiler } from '../../core/context.js';
import { debug } from '../../log.js';
import type { Profiler } from '../../core/profiler.js';
import { ScopedSpan } from '../../core/scoped-span.js';
import { dbErrorInfo, dbResultInfo, dbStartInfo } from './statement.js';

/**
 * Options of `instrumentPg`, `instrumentMysql2` and `instrumentSqlite`.
 * @since 0.1.0
 */
export interface DbTraceOptions {
  /**
   * Asked before each statement (only inside a trace); false skips it. Default
   * {@link followConf}: in a service whose configuration enables profiling (`[profiler] enabled`),
   * statements are traced when `trace_sqlalchemy` is on (`isDbTraceEnabled()`, as oslo.db
   * does); without such configuration the instrument call itself is the opt-in and every
   * statement in a trace is recorded. `() => true` always traces.
   */
  enabled?: () => boolean;
  /** Leave bound values out of `info.db` (no `params` key). Default false. */
  hideParams?: boolean;
  /** Leave the result out of the stop notification. Default true (as Python's `hide_result`). */
  hideResult?: boolean;
  /** Span name. Default `'db'`. */
  name?: string;
}

/**
 * The default `enabled`: `isDbTraceEnabled()` when the process-wide conf enables profiling, else true.
 * why: an OpenStack-style service (initFromConf with `enabled = true`) keeps the operator's
 * `trace_sqlalchemy` switch, off by default as in Python; code that never configured `[profiler]`
 * asked for db tracing by calling instrumentX and must get it.
 */
export function followConf(): boolean {
  const conf = getGlobalConf();
  return !isTraceEnabled(conf) || isDbTraceEnabled(conf);
}

/** Options with defaults applied. */
export interface DbSpanOptions {
  readonly enabled: () => boolean;
  readonly hideParams: boolean;
  readonly hideResult: boolean;
  readonly name: string;
  /** Turns a driver's raw result into what `{db: {result}}` shows. */
  readonly resultView: (result: unknown) => unknown;
}

/** Applies defaults; `resultView` is the driver's own. */
export function resolveOptions(
  options: DbTraceOptions | undefined,
  resultView: (result: unknown) => unknown = (r) => r,
): DbSpanOptions {
  const o = options ?? {};
  return {
    enabled: typeof o.enabled === 'function' ? o.enabled : followConf,
    hideParams: o.hideParams === true,
    hideResult: o.hideResult !== false,
    name: typeof o.name === 'string' && o.name !== '' ? o.name : 'db',
    resultView,
  };
}

/**
 * The profiler to trace under: the caller's, when a trace is active and `enabled` agrees.
 * why: this is the whole cost of an instrumented query outside a trace — one context lookup.
 */
export function tracingProfiler(options: DbSpanOptions): Profiler | undefined {
  const profiler = currentProfiler();
  if (profiler === undefined) return undefined;
  try {
    return options.enabled() ? profiler : undefined;
  } catch (error) {
    debug('db: the enabled() option threw, statement not traced: %s', error);
    return undefined;
  }
}

/** One open db span: a ScopedSpan with the db start/stop info, never throwing into the query's caller. */
export class DbSpan {
  private span: ScopedSpan | undefined;
  private readonly options: DbSpanOptions;

  /** Opens the span under `profiler`'s current point. Never throws. */
  constructor(profiler: Profiler, options: DbSpanOptions, statement: unknown, params: unknown) {
    this.options = options;
    try {
      this.span = new ScopedSpan(profiler, options.name, dbStartInfo(statement, params, options.hideParams));
    } catch (error) {
      debug('db: could not open a span: %s', error);
    }
  }

  /** The view with this span on top (for code that should nest under it). */
  get profiler(): Profiler | undefined {
    return this.span?.open ? this.span.profiler : undefined;
  }

  /** True until the span was stopped. */
  get open(): boolean {
    return this.span?.open === true;
  }

  /** Stops with the result (shown unless hideResult). Later stops do nothing. */
  succeed(result?: unknown): void {
    if (!this.open) return;
    try {
      this.span!.stop(this.options.hideResult ? undefined : dbResultInfo(this.options.resultView(result)));
    } catch (error) {
      debug('db: could not stop a span: %s', error);
    }
  }

  /** Stops with the error's etype/message and db.original_exception/chained_exception. */
  fail(error: unknown): void {
    if (!this.open) return;
    try {
      this.span!.stop(dbErrorInfo(error));
    } catch (e) {
      debug('db: could not stop a span: %s', e);
    }
  }

  /** Stops as `error` says: failed when it is set, else succeeded with `result`. */
  finish(error: unknown, result: unknown): void {
    if (error !== undefined && error !== null) this.fail(error);
    else this.succeed(result);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs a driver call inside `span`: stops on return or throw, or when a returned promise (any
 * thenable: drivers may use their own Promise class) settles. Errors propagate unchanged.
 * why: the promise handed back is the chained one, so an unhandled rejection is still reported
 * as the caller's, and the driver's own Promise class is kept.
 */
export function settleWith<R>(span: DbSpan, body: () => R): R {
  let result: R;
  try {
    const view = span.profiler;
    result = view === undefined ? body() : runInProfiler(view, body);
  } catch (error) {
    span.fail(error);
    throw error;
  }
  if (isThenable(result)) {
    return result.then(
      (value) => {
        span.succeed(value);
        return value;
      },
      (error: unknown) => {
        span.fail(error);
        throw error;
      },
    ) as R;
  }
  span.succeed(result);
  return result;
}

type Callback = (this: unknown, ...args: unknown[]) => unknown;

/**
 * A node-style callback that first stops `span` (with the error or the result at `resultIndex`),
 * then calls `callback` in the caller's trace context `caller`.
 * why: drivers call back from socket events, i.e. in the context of whoever opened the socket —
 * another trace, or none; running the callback in the caller's context keeps nested queries in
 * the right trace.
 */
export function stoppingCallback(
  span: DbSpan,
  caller: Profiler | undefined,
  callback: Callback,
  resultIndex = 1,
): Callback {
  return function (this: unknown, ...args: unknown[]): unknown {
    span.finish(args[0], args[resultIndex]);
    return runInProfiler(caller, () => Reflect.apply(callback, this, args));
  };
}
