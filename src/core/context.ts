// The one AsyncLocalStorage that carries the active profiler, created lazily on the first trace.
import { AsyncLocalStorage } from 'node:async_hooks';
import { kScope, type Profiler } from './profiler.js';

interface ContextSlot {
  als: AsyncLocalStorage<Profiler | undefined> | undefined;
}

// why: a Symbol.for slot on globalThis so two installed copies of the package (a service and a
// library it depends on) share the active profiler instead of each seeing only its own.
const kSlot = Symbol.for('osprofiler.context.v1');
const globals = globalThis as unknown as Record<symbol, ContextSlot | undefined>;
const slot: ContextSlot = (globals[kSlot] ??= { als: undefined });

/**
 * The profiler of the current async context, or undefined.
 * why: until the first trace no AsyncLocalStorage exists at all, because on Node 20 an active
 * one slows every `await` in the process; the untraced path is one property read.
 */
export function currentProfiler(): Profiler | undefined {
  const als = slot.als;
  // why: the scope check lives in its own function so this one stays as small as it was and V8
  // keeps inlining it into the untraced fast path of every traced function.
  return als === undefined ? undefined : liveProfiler(als.getStore());
}

/**
 * `profiler` unless clean() ended its trace. clean() ends an init() trace by flagging the scope
 * its views share, so every context that inherited it (the caller of an async function, a
 * timer) sees it gone; `?.` for a profiler of an older installed copy, which has no scope.
 */
function liveProfiler(profiler: Profiler | undefined): Profiler | undefined {
  return profiler === undefined || profiler[kScope]?.ended === true ? undefined : profiler;
}

/**
 * The AsyncLocalStorage itself, once created (undefined before the first trace). Integrations
 * that bind a TracingChannel's store to it (`channel.bindStore`) need the object.
 */
export function contextStorage(): AsyncLocalStorage<Profiler | undefined> | undefined {
  return slot.als;
}

/** True once any trace context was ever created in this process. */
export function contextStarted(): boolean {
  return slot.als !== undefined;
}

function storage(): AsyncLocalStorage<Profiler | undefined> {
  return (slot.als ??= new AsyncLocalStorage<Profiler | undefined>());
}

/** Makes `profiler` current for the rest of this synchronous run and what it schedules. */
export function enterProfiler(profiler: Profiler | undefined): void {
  if (profiler === undefined && slot.als === undefined) return;
  storage().enterWith(profiler);
}

/** Runs `fn` with `profiler` as the current one; the caller's context is untouched. */
export function runInProfiler<R>(profiler: Profiler | undefined, fn: () => R): R {
  if (profiler === undefined && slot.als === undefined) return fn();
  return storage().run(profiler, fn);
}

/**
 * Runs `fn` outside any trace context. The notifier's own I/O goes through here, so a driver's
 * database or HTTP calls are never traced (with db/HTTP tracing on, they would trace themselves).
 */
export function runOutsideTrace<R>(fn: () => R): R {
  const als = slot.als;
  return als === undefined || als.getStore() === undefined ? fn() : als.exit(fn);
}
