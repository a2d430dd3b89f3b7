// Small helpers shared by the integrations that wrap methods of objects they do not own.

/** Any function, called with whatever `this` the caller uses. */
export type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

export function isFunction(value: unknown): value is AnyFunction {
  return typeof value === 'function';
}

/** Sets `target[name]` as an own, non-enumerable, writable property (a wrapper or a marker). */
export function defineHidden(target: object, name: string | symbol, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
}
