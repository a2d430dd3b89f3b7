// Whole-class tracing: traceClass (Python trace_cls) and the Traced base class (Python TracedMeta).
import { OsprofilerError } from '../errors.js';
import { wrapTraced, type TraceOptions } from './trace.js';

/** Options of traceClass: trace() options plus which methods to include. */
export interface TraceClassOptions extends TraceOptions {
  /** Also trace methods whose names start with `_` (never `__`-style ones). Default false. */
  tracePrivate?: boolean;
  /** Also trace static methods. Default false. */
  traceStaticMethods?: boolean;
}

type Constructor = abstract new (...args: never[]) => unknown;
type MethodHost = Record<string | symbol, unknown>;

function shouldTrace(name: string, tracePrivate: boolean): boolean {
  if (name === 'constructor' || name.startsWith('__')) return false;
  return tracePrivate || !name.startsWith('_');
}

function traceOwnMethods(target: object, name: string, options: TraceClassOptions): void {
  const host = target as MethodHost;
  for (const key of Object.getOwnPropertyNames(target)) {
    if (!shouldTrace(key, options.tracePrivate === true)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    // why: accessors and non-function fields are left alone, as Python skips non-callables.
    if (descriptor === undefined || typeof descriptor.value !== 'function') continue;
    if (typeof host === 'function' && (key === 'prototype' || key === 'length' || key === 'name')) continue;
    Object.defineProperty(target, key, {
      ...descriptor,
      value: wrapTraced(descriptor.value as (this: unknown) => unknown, name, options, key),
    });
  }
}

/**
 * Traces every public method of a class (Python `trace_cls`): `traceClass('api')(MyClass)` or
 * as a class decorator `@traceClass('api')`. Constructors and `__`-names are never traced.
 * @since 0.1.0
 */
export function traceClass(name: string, options: TraceClassOptions = {}) {
  return <C extends Constructor>(cls: C, _context?: unknown): C => {
    traceOwnMethods(cls.prototype as object, name, options);
    if (options.traceStaticMethods === true) traceOwnMethods(cls, name, options);
    return cls;
  };
}

/** The static `traceArgs` of a Traced subclass: trace options with the point name. */
export interface TracedArgs extends TraceClassOptions {
  name: string;
}

const processed = new WeakSet<object>();

function prepare(leaf: Function): void {
  // why: JavaScript has no metaclass, so each subclass's own methods are wrapped when it is first
  // instantiated, with the nearest traceArgs (its own or inherited), as TracedMeta does per class body.
  for (let cls: Function | null = leaf; cls !== null && cls !== Traced; cls = Object.getPrototypeOf(cls)) {
    if (processed.has(cls)) continue;
    const args = (cls as unknown as { traceArgs?: Partial<TracedArgs> }).traceArgs;
    if (args === undefined || typeof args.name !== 'string' || args.name === '') {
      throw new OsprofilerError(
        'OSP_ERR_CONFIG',
        `Class ${cls.name || '<anonymous>'} extends Traced but its static traceArgs has no "name".`,
      );
    }
    traceOwnMethods(cls.prototype as object, args.name, args);
    if (args.traceStaticMethods === true) traceOwnMethods(cls, args.name, args);
    processed.add(cls);
  }
}

/**
 * A base class whose subclasses have every public method traced, configured by
 * `static traceArgs = { name: 'rpc', hideArgs: false }` (Python's TracedMeta).
 * @since 0.1.0
 */
export class Traced {
  static traceArgs?: TracedArgs;

  constructor() {
    if (!processed.has(new.target)) prepare(new.target);
  }
}
