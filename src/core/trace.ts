// Scoped tracing: trace() for functions and methods, withTrace() and the Trace disposable.
import { currentProfiler, runInProfiler } from './context.js';
import { OsprofilerError } from '../errors.js';
import { errorInfo } from './error-info.js';
import type { TraceInfo } from './payload.js';
import type { Profiler } from './profiler.js';
import { renderArgs, renderValue } from './render-value.js';
import { ScopedSpan } from './scoped-span.js';

/** Options of trace() (Python's `trace` keyword arguments, camelCased). */
export interface TraceOptions {
  /** Extra info for the start notification. */
  info?: TraceInfo;
  /** Leave the arguments out of the start notification. Default false. */
  hideArgs?: boolean;
  /** Leave the result out of the stop notification. Default true. */
  hideResult?: boolean;
  /** Allow wrapping a function that is already traced. Default true. */
  allowMultipleTrace?: boolean;
}

/** Marks functions that trace() produced, and keeps the original. */
export const kTraced = Symbol('osprofiler.traced');

type AnyFunction = (...args: never[]) => unknown;

/**
 * The constraint of what trace() wraps.
 * why `any[]`: TypeScript types the parameters of an unannotated function expression from the
 * constraint of the type parameter it is passed to. With `never[]` (the house default for "any
 * function") `trace('db')(async function loadCart(id) {…})` typed `id` as `never`, so no call
 * compiled; with `unknown[]` an unannotated `id` would reject every use. `any[]` is TypeScript's
 * idiom for this contextual typing: annotated parameters keep their own types (F is inferred
 * from the function itself), and `any` never appears in what the wrapper returns, which is F.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- why: see above
type Wrappable = (...args: any[]) => unknown;

/** Minimal shape of a TC39 method decorator context (TypeScript 5 `ClassMethodDecoratorContext`). */
interface MethodContext {
  kind: string;
  name: string | symbol;
  static?: boolean;
}

/** What trace(name, options) returns: a wrapper for functions that also works as a method decorator. */
export interface TraceWrapper {
  <F extends Wrappable>(fn: F, context?: MethodContext): F;
}

/** True for a function that trace() produced. */
export function isTraced(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[kTraced] !== undefined;
}

function functionName(fn: AnyFunction, self: unknown, method: string | undefined): string {
  if (method === undefined) return fn.name || '<anonymous>';
  // why: a method decorator does not see its class; `this` tells it at call time, also for subclasses.
  const owner =
    typeof self === 'function'
      ? (self as { name?: string }).name
      : (self as { constructor?: { name?: string } } | null | undefined)?.constructor?.name;
  return owner ? `${owner}.${method}` : method;
}

function isNativePromise(value: unknown): value is Promise<unknown> {
  // why: only real promises are awaited; a thenable such as a query builder must come back as is.
  return value instanceof Promise;
}

/**
 * Runs `body` inside a new trace point of `profiler` (a ScopedSpan, so concurrent calls each have
 * their own stack); stops on return, on throw, or when a returned promise settles.
 */
export function runTraced<R>(
  profiler: Profiler,
  name: string,
  startInfo: TraceInfo | undefined,
  body: () => R,
  stopInfo: (result: unknown) => TraceInfo | undefined = () => undefined,
  errorStopInfo: (error: unknown) => TraceInfo = errorInfo,
): R {
  const span = new ScopedSpan(profiler, name, startInfo);
  return runInProfiler(span.profiler, () => {
    let result: R;
    try {
      result = body();
    } catch (error) {
      span.stop(errorStopInfo(error));
      throw error;
    }
    if (isNativePromise(result)) {
      return result.then(
        (value) => {
          span.stop(stopInfo(value));
          return value;
        },
        (error: unknown) => {
          span.stop(errorStopInfo(error));
          throw error;
        },
      ) as R;
    }
    span.stop(stopInfo(result));
    return result;
  });
}

/** Wraps one function; `method` is set when it is a class method (for `Class.method` names). */
export function wrapTraced<F extends AnyFunction>(fn: F, name: string, options: TraceOptions, method?: string): F {
  if (options.allowMultipleTrace === false && isTraced(fn)) {
    throw new OsprofilerError(
      'OSP_ERR_ALREADY_TRACED',
      `Function "${fn.name || '<anonymous>'}" is already traced and allowMultipleTrace is false.`,
    );
  }
  const hideArgs = options.hideArgs === true;
  const hideResult = options.hideResult !== false;
  const baseInfo = options.info;
  const stopInfo = hideResult ? undefined : (result: unknown) => ({ function: { result: renderValue(result) } });
  const tracedCall = (profiler: Profiler, self: unknown, args: unknown[]): unknown => {
    const fnInfo: Record<string, unknown> = { name: functionName(fn, self, method) };
    if (!hideArgs) {
      fnInfo.args = renderArgs(args);
      fnInfo.kwargs = '{}';
    }
    const info: TraceInfo = baseInfo === undefined ? { function: fnInfo } : { ...baseInfo, function: fnInfo };
    return runTraced(profiler, name, info, () => fn.apply(self, args as never[]), stopInfo);
  };
  const traced = function (this: unknown): unknown {
    const profiler = currentProfiler();
    // why: the whole cost of a traced function outside a trace is this check; `arguments` is
    // only read element-wise below, so V8 never has to allocate it on the fast path.
    if (profiler === undefined) return fn.apply(this, arguments as unknown as never[]);
    const n = arguments.length;
    const args = new Array<unknown>(n);
    for (let i = 0; i < n; i++) args[i] = arguments[i];
    return tracedCall(profiler, this, args);
  };
  Object.defineProperty(traced, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(traced, 'length', { value: fn.length, configurable: true });
  Object.defineProperty(traced, kTraced, { value: fn });
  return traced as unknown as F;
}

/**
 * Traces a function or method: a `<name>-start` before the call and a `<name>-stop` after it
 * settles (sync or async). On error the stop carries etype/message and the error propagates
 * unchanged. Outside a trace the call costs one check. Use as `trace('rpc')(fn)` or as a method
 * decorator `@trace('rpc')`.
 * @since 0.1.0
 */
export function trace(name: string, options: TraceOptions = {}): TraceWrapper {
  return (<F extends Wrappable>(fn: F, context?: MethodContext): F => {
    const method = context !== undefined && context.kind === 'method' ? String(context.name) : undefined;
    return wrapTraced(fn, name, options, method);
  }) as TraceWrapper;
}

/**
 * Runs `fn` inside a trace point named `name` (Python's `with profiler.Trace(name, info)`),
 * concurrency-safe. Outside a trace it just calls `fn`.
 * @since 0.1.0
 */
export function withTrace<R>(name: string, info: TraceInfo | undefined, fn: () => R): R {
  const profiler = currentProfiler();
  if (profiler === undefined) return fn();
  return runTraced(profiler, name, info, fn);
}

/**
 * A trace point on the current profiler for the rest of a block: `using t = new Trace('rpc')`.
 * `exit(error)` records a failure explicitly; disposing without it records success. It uses the
 * current profiler's own stack (Python semantics): for concurrent code prefer withTrace().
 * @since 0.1.0
 */
export class Trace {
  private profiler: Profiler | undefined;

  constructor(name: string, info?: TraceInfo) {
    this.profiler = currentProfiler();
    this.profiler?.start(name, info);
  }

  /** Stops the point; with an error, the stop carries its etype and message. */
  exit(error?: unknown): void {
    const profiler = this.profiler;
    this.profiler = undefined;
    profiler?.stop(error === undefined ? undefined : errorInfo(error));
  }

  [Symbol.dispose](): void {
    this.exit();
  }
}
