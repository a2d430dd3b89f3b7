// PostgreSQL (pg): wraps query() of the given Client or Pool instance, since pg publishes no channels.
import { currentProfiler, runInProfiler } from '../../core/context.js';
import { ConfigError } from '../../errors.js';
import type { Profiler } from '../../core/profiler.js';
import {
  DbSpan,
  resolveOptions,
  settleWith,
  stoppingCallback,
  tracingProfiler,
  type DbSpanOptions,
  type DbTraceOptions,
} from './span.js';
import type { AnyFunction } from './wrap.js';

/** What instrumentPg needs of a pg `Client` (or anything with pg's `query(text|config, values?, cb?)`). */
export interface PgClientLike {
  query(...args: never[]): unknown;
}

/** What instrumentPg needs of a pg `Pool` (pg-pool): `connect()`, `totalCount` and the `connect` event. */
export interface PgPoolLike extends PgClientLike {
  connect(...args: never[]): unknown;
  readonly totalCount: number;
  prependListener(event: 'connect', listener: (client: PgClientLike) => void): unknown;
}

// why: a module-local Symbol marks what we wrapped, so a second instrumentPg call (or a pool and
// one of its clients) never wraps twice and never traces one statement twice.
const kInstrumented = Symbol('osprofiler.db.pg');

type Marked = Record<symbol, unknown>;

interface PgQueryConfig {
  text?: unknown;
  name?: unknown;
  values?: unknown;
  callback?: unknown;
  submit?: unknown;
  handleError?: unknown;
  handleReadyForQuery?: unknown;
}

/** What `{db: {result}}` shows for a pg result: the rows, or `{command, rowCount}` when there are none. */
function pgResultView(result: unknown): unknown {
  if (Array.isArray(result)) return result.map(pgResultView);
  if (result === null || typeof result !== 'object') return result;
  const r = result as { rows?: unknown; command?: unknown; rowCount?: unknown };
  if (!Array.isArray(r.rows)) return result;
  return r.rows.length > 0 || r.command === 'SELECT' ? r.rows : { command: r.command, rowCount: r.rowCount };
}

function statementOf(config: unknown): unknown {
  if (typeof config === 'string') return config;
  const c = config as PgQueryConfig;
  if (c.text !== undefined) return c.text;
  return c.name === undefined ? undefined : `EXECUTE ${String(c.name)}`;
}

/** Stops the span from the submittable protocol calls pg makes (`handleError`, `handleReadyForQuery`). */
function watchSubmittable(query: PgQueryConfig, span: DbSpan): void {
  const onError = query.handleError;
  const onReady = query.handleReadyForQuery;
  if (typeof onError === 'function') {
    query.handleError = function (this: unknown, error: unknown, ...rest: unknown[]): unknown {
      span.fail(error);
      return Reflect.apply(onError as AnyFunction, this, [error, ...rest]);
    };
  }
  if (typeof onReady === 'function') {
    query.handleReadyForQuery = function (this: unknown, ...args: unknown[]): unknown {
      span.succeed(undefined);
      return Reflect.apply(onReady as AnyFunction, this, args);
    };
  }
}

/** One traced `query()` call: promise, callback and submittable forms, as pg reads its arguments. */
function tracedCall(
  profiler: Profiler,
  options: DbSpanOptions,
  original: AnyFunction,
  self: unknown,
  args: IArguments,
): unknown {
  const config = args[0] as unknown;
  const values = args[1] as unknown;
  const params = values && typeof values !== 'function' ? values : (config as PgQueryConfig).values;
  const span = new DbSpan(profiler, options, statementOf(config), params);
  const cfg = config as PgQueryConfig;
  if (typeof config === 'object' && typeof cfg.submit === 'function') {
    watchSubmittable(cfg, span);
    return callOpen(span, original, self, Array.from(args));
  }
  // pg's own precedence: a third-argument callback, else a function as values, else config.callback.
  const index = typeof args[2] === 'function' ? 2 : typeof values === 'function' ? 1 : -1;
  const callback = index === -1 && typeof config === 'object' ? cfg.callback : args[index];
  if (typeof callback !== 'function') return settleWith(span, () => Reflect.apply(original, self, args));
  const callArgs = index === -1 ? [config, values] : Array.from(args);
  callArgs[index === -1 ? 2 : index] = stoppingCallback(span, profiler, callback as AnyFunction);
  return callOpen(span, original, self, callArgs);
}

/** Calls the driver; a synchronous throw fails the span, otherwise it stays open until pg reports back. */
function callOpen(span: DbSpan, original: AnyFunction, self: unknown, args: unknown[]): unknown {
  try {
    return Reflect.apply(original, self, args);
  } catch (error) {
    span.fail(error);
    throw error;
  }
}

function instrumentClient(client: PgClientLike, options: DbSpanOptions): void {
  const marked = client as unknown as Marked;
  if (marked[kInstrumented] !== undefined) return;
  const original = client.query as unknown as AnyFunction;
  if (typeof original !== 'function') return;
  function query(this: unknown): unknown {
    const profiler = tracingProfiler(options);
    if (profiler === undefined || arguments[0] === null || arguments[0] === undefined) {
      return Reflect.apply(original, this, arguments);
    }
    return tracedCall(profiler, options, original, this, arguments);
  }
  Object.defineProperty(client, 'query', { value: query, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(client, kInstrumented, { value: original, configurable: true });
}

function isPool(target: PgClientLike): target is PgPoolLike {
  const t = target as Partial<PgPoolLike>;
  return typeof t.connect === 'function' && typeof t.totalCount === 'number' && typeof t.prependListener === 'function';
}

function instrumentPool(pool: PgPoolLike, options: DbSpanOptions): void {
  const marked = pool as unknown as Marked;
  if (marked[kInstrumented] !== undefined) return;
  Object.defineProperty(pool, kInstrumented, { value: true, configurable: true });
  // why: pool.query() runs each statement through one of the pool's clients, so instrumenting the
  // clients (present and future) traces pool.query() and checked-out clients alike, once each.
  pool.prependListener('connect', (client) => {
    try {
      instrumentClient(client, options);
    } catch {
      // a client we cannot wrap is simply not traced
    }
  });
  const existing = (pool as unknown as { _clients?: unknown })._clients;
  if (Array.isArray(existing)) for (const client of existing) instrumentClient(client as PgClientLike, options);
  const connect = pool.connect as unknown as AnyFunction;
  // why: a pool hands a queued request the client that another request releases, inside that
  // request's async context; the callback (pool.query's inner client.query included) must run in
  // the context of whoever asked, or its statements land in someone else's trace.
  function connectInCallerContext(this: unknown, callback?: unknown): unknown {
    if (typeof callback !== 'function') return Reflect.apply(connect, this, arguments);
    const caller = currentProfiler();
    return Reflect.apply(connect, this, [
      function (this: unknown, ...args: unknown[]): unknown {
        return runInProfiler(caller, () => Reflect.apply(callback as AnyFunction, this, args));
      },
    ]);
  }
  Object.defineProperty(pool, 'connect', {
    value: connectInCallerContext,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/**
 * Traces every statement run through a pg `Client` or `Pool` as a `db` span with `info.db =
 * {statement, params}` (SQL text with `$1` placeholders; bound values as a list). Works for the
 * promise, callback and submittable (cursor/stream) forms, query config objects and named
 * (prepared) queries; for a Pool, pool.query() and clients from pool.connect() alike. Statements
 * run outside a trace cost one check. Instrumenting twice changes nothing. Returns `target`.
 * Nothing is patched globally; pg is never imported.
 * @throws ConfigError when `target` has no query() method.
 * @since 0.1.0
 */
export function instrumentPg<T extends PgClientLike>(target: T, options?: DbTraceOptions): T {
  if (target === null || typeof target !== 'object' || typeof target.query !== 'function') {
    throw new ConfigError('instrumentPg: expected a pg Client or Pool (an object with a query() method)');
  }
  const resolved = resolveOptions(options, pgResultView);
  if (isPool(target)) instrumentPool(target, resolved);
  else instrumentClient(target, resolved);
  return target;
}
