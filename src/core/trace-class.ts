// Whole-class tracing: traceClass (Python trace_cls) and the Traced base class (Python TracedMeta).
import { OsprofilerError } from '../errors.js';
import { isTraced, wrapTraced, type TraceOptions } from './trace.js';

/** Options of traceClass: trace() options plus which methods to include. */
export interface TraceClassOptions extends TraceOptions {
  /** Also trace methods whose names start with `_` (never `__`-style ones). Default false. */
  tracePrivate?: boolean;
  /** Also trace static methods (inherited ones too, unless traceInherited is false). Default false. */
  traceStaticMethods?: boolean;
  /**
   * Python's `trace_class_methods`: a JavaScript static method is called on its class, as a
   * Python classmethod is, so this is the same switch as traceStaticMethods. Default false.
   */
  traceClassMethods?: boolean;
  /**
   * Also trace public methods the class inherits (as Python's trace_cls, which walks every
   * member): they are wrapped on the decorated class itself, the base classes stay untouched.
   * An inherited method that is already traced is left as it is. `false` traces the class's own
   * methods only. Default true.
   */
  traceInherited?: boolean;
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

const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;

function isBuiltin(ctor: unknown): boolean {
  return typeof ctor === 'function' && NATIVE.test(Function.prototype.toString.call(ctor));
}

/**
 * Wraps, on `target` itself, the methods it inherits from its prototypes up to (not including)
 * `stop`. The nearest definition of a name wins; names `target` defines are skipped.
 */
function traceInheritedMethods(target: object, stop: object, name: string, options: TraceClassOptions): void {
  const seen = new Set<string>(Object.getOwnPropertyNames(target));
  const isConstructor = typeof target === 'function';
  for (let proto = Object.getPrototypeOf(target) as object | null; proto !== null && proto !== stop;) {
    // why: the runtime's own classes (Error, Map, Array, Promise…) end the walk: their methods are
    // the language's, not the application's (Python's counterparts are `__`-names, never traced).
    if (isBuiltin(isConstructor ? proto : (proto as { constructor?: unknown }).constructor)) break;
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (seen.has(key)) continue;
      seen.add(key);
      if (!shouldTrace(key, options.tracePrivate === true)) continue;
      if (isConstructor && (key === 'prototype' || key === 'length' || key === 'name')) continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (descriptor === undefined || typeof descriptor.value !== 'function') continue;
      // why: a base class that is traced itself already records a span for this method; wrapping
      // it again would record two (Traced subclasses behave the same way).
      if (isTraced(descriptor.value)) continue;
      Object.defineProperty(target, key, {
        ...descriptor,
        value: wrapTraced(descriptor.value as (this: unknown) => unknown, name, options, key),
      });
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
}

/**
 * Traces every public method of a class (Python `trace_cls`): `traceClass('api')(MyClass)` or
 * as a class decorator `@traceClass('api')`. Inherited methods are traced too, on the class
 * itself (`traceInherited: false` for its own only). Constructors and `__`-names are never traced.
 * @since 0.1.0
 */
export function traceClass(name: string, options: TraceClassOptions = {}) {
  return <C extends Constructor>(cls: C, _context?: unknown): C => {
    const prototype = cls.prototype as object;
    const statics = options.traceStaticMethods === true || options.traceClassMethods === true;
    const inherited = options.traceInherited !== false;
    traceOwnMethods(prototype, name, options);
    if (inherited) traceInheritedMethods(prototype, Object.prototype, name, options);
    if (statics) {
      traceOwnMethods(cls, name, options);
      if (inherited) traceInheritedMethods(cls, Function.prototype, name, options);
    }
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
    if (args.traceStaticMethods === true || args.traceClassMethods === true) traceOwnMethods(cls, args.name, args);
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
