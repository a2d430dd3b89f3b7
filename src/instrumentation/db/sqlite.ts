// SQLite (better-sqlite3, also node:sqlite's DatabaseSync): wraps the given database and the statements it prepares.
import { ConfigError } from '../../errors.js';
import { runTraced } from '../../core/trace.js';
import type { Profiler } from '../../core/profiler.js';
import { DbSpan, resolveOptions, tracingProfiler, type DbSpanOptions, type DbTraceOptions } from './span.js';
import { dbErrorInfo, dbResultInfo, dbStartInfo } from './statement.js';
import { wrapTransactionMethod } from './sqlite-transaction.js';
import { defineHidden, type AnyFunction } from './wrap.js';

/** What instrumentSqlite needs of a database: better-sqlite3's `Database` or node:sqlite's `DatabaseSync`. */
export interface SqliteDatabaseLike {
  prepare(source: string, ...rest: never[]): unknown;
  exec(source: string, ...rest: never[]): unknown;
}

// why: module-local Symbols keep our state on objects we do not own (the database, statements).
const kInstrumented = Symbol('osprofiler.db.sqlite');
const kState = Symbol('osprofiler.db.sqlite.state');
const kBound = Symbol('osprofiler.db.sqlite.bound');

type Executor = 'run' | 'get' | 'all' | 'iterate';
const EXECUTORS: readonly Executor[] = ['run', 'get', 'all', 'iterate'];

interface StatementLike {
  source?: unknown;
  sourceSQL?: unknown;
  [kState]?: DatabaseState;
  [kBound]?: unknown[];
}

interface DatabaseState {
  options: DbSpanOptions;
  /** The statement class's own methods, read from the first statement prepared. */
  originals: Partial<Record<Executor | 'bind', AnyFunction>>;
  /** Descriptors set on every prepared statement in one defineProperties call. */
  descriptors: PropertyDescriptorMap | undefined;
}

/** Bound values as one list (positional) or object (named), as better-sqlite3 accepts them. */
function paramsOf(args: ArrayLike<unknown>): unknown {
  if (args.length === 0) return [];
  if (args.length === 1) {
    const only = args[0];
    if (Array.isArray(only)) return only;
    if (only !== null && typeof only === 'object' && !ArrayBuffer.isView(only)) return only;
    return [only];
  }
  const list: unknown[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (Array.isArray(arg)) list.push(...(arg as unknown[]));
    else list.push(arg);
  }
  return list;
}

function sourceOf(statement: StatementLike): unknown {
  return statement.source ?? statement.sourceSQL;
}

/** Runs a synchronous database call as one span (runTraced forks, so nested work parents under it). */
function traced<R>(profiler: Profiler, options: DbSpanOptions, statement: unknown, params: unknown, body: () => R): R {
  const stopInfo = options.hideResult ? undefined : (result: unknown) => dbResultInfo(result);
  const startInfo = dbStartInfo(statement, params, options.hideParams);
  return runTraced(profiler, options.name, startInfo, body, stopInfo, dbErrorInfo);
}

/** iterate(): the span stays open while rows are read and stops when the iterator finishes or is closed. */
function* tracedRows(iterator: Iterator<unknown>, span: DbSpan): Generator<unknown, unknown, undefined> {
  let rows = 0;
  try {
    for (;;) {
      const step = iterator.next();
      if (step.done === true) {
        span.succeed({ rows_read: rows });
        return step.value;
      }
      rows++;
      yield step.value;
    }
  } catch (error) {
    span.fail(error);
    throw error;
  } finally {
    if (span.open) {
      // closed early (break, return): release the statement as the native iterator would
      span.succeed({ rows_read: rows });
      iterator.return?.();
    }
  }
}

function executor(name: Executor): AnyFunction {
  return function (this: unknown): unknown {
    const statement = this as StatementLike;
    const state = statement[kState]!;
    const original = state.originals[name]!;
    const profiler = tracingProfiler(state.options);
    if (profiler === undefined) return Reflect.apply(original, this, arguments);
    const params = arguments.length > 0 ? paramsOf(arguments) : paramsOf(statement[kBound] ?? []);
    if (name !== 'iterate') {
      return traced(profiler, state.options, sourceOf(statement), params, () =>
        Reflect.apply(original, this, arguments),
      );
    }
    const span = new DbSpan(profiler, state.options, sourceOf(statement), params);
    let iterator: Iterator<unknown>;
    try {
      iterator = Reflect.apply(original, this, arguments) as Iterator<unknown>;
    } catch (error) {
      span.fail(error);
      throw error;
    }
    return tracedRows(iterator, span);
  };
}

const EXECUTOR_WRAPPERS: Record<Executor, AnyFunction> = {
  run: executor('run'),
  get: executor('get'),
  all: executor('all'),
  iterate: executor('iterate'),
};

function bindWrapper(this: unknown): unknown {
  const statement = this as StatementLike;
  const result = Reflect.apply(statement[kState]!.originals.bind!, this, arguments);
  statement[kBound] = Array.from(arguments as ArrayLike<unknown>);
  return result;
}

/** Gives a freshly prepared statement the traced methods (own properties, one call). */
function armStatement(statement: object, state: DatabaseState): void {
  if (state.descriptors === undefined) {
    const s = statement as Record<string, unknown>;
    const descriptors: PropertyDescriptorMap = { [kState]: { value: state, writable: true } };
    for (const name of [...EXECUTORS, 'bind'] as const) {
      const method = s[name];
      if (typeof method !== 'function') continue;
      state.originals[name] = method as AnyFunction;
      const value = name === 'bind' ? bindWrapper : EXECUTOR_WRAPPERS[name];
      descriptors[name] = { value, writable: true, configurable: true };
    }
    state.descriptors = descriptors;
  }
  Object.defineProperties(statement, state.descriptors);
}

function wrapMethod(db: object, name: string, make: (original: AnyFunction) => AnyFunction): void {
  const original = (db as Record<string, unknown>)[name];
  if (typeof original !== 'function') return;
  defineHidden(db, name, make(original as AnyFunction));
}

/**
 * Traces every statement a better-sqlite3 `Database` runs as a `db` span with `info.db =
 * {statement, params}`: statements from `prepare()` (run/get/all/iterate; values given to
 * `bind()` are recorded too), `exec()`, `pragma()`, and the BEGIN/COMMIT/ROLLBACK (or SAVEPOINT)
 * statements of `transaction()` functions; a failing `prepare()` is recorded as a failed
 * statement. Also works with node:sqlite's `DatabaseSync` (prepare/exec). Statements run outside a
 * trace cost one check. Instrumenting twice changes nothing; better-sqlite3 is never imported.
 * Returns `db`.
 * @throws ConfigError when `db` has no prepare() and exec() methods.
 * @since 0.1.0
 */
export function instrumentSqlite<T extends SqliteDatabaseLike>(db: T, options?: DbTraceOptions): T {
  if (db === null || typeof db !== 'object' || typeof db.prepare !== 'function' || typeof db.exec !== 'function') {
    throw new ConfigError('instrumentSqlite: expected a better-sqlite3 Database (an object with prepare() and exec())');
  }
  const marked = db as unknown as Record<symbol, unknown>;
  if (marked[kInstrumented] !== undefined) return db;
  Object.defineProperty(db, kInstrumented, { value: true, configurable: true });
  const state: DatabaseState = { options: resolveOptions(options), originals: {}, descriptors: undefined };
  const opts = state.options;
  wrapMethod(
    db,
    'prepare',
    (original) =>
      function prepare(this: unknown, source: unknown): unknown {
        let statement: unknown;
        try {
          statement = Reflect.apply(original, this, arguments);
        } catch (error) {
          // why: SQLite compiles at prepare(); a statement that cannot compile (no such table…)
          // would otherwise leave no trace, where Python records it as a failed statement.
          const profiler = tracingProfiler(opts);
          if (profiler !== undefined) new DbSpan(profiler, opts, source, []).fail(error);
          throw error;
        }
        if (statement !== null && typeof statement === 'object') armStatement(statement, state);
        return statement;
      },
  );
  wrapMethod(
    db,
    'exec',
    (original) =>
      function exec(this: unknown, source: unknown): unknown {
        const profiler = tracingProfiler(opts);
        if (profiler === undefined) return Reflect.apply(original, this, arguments);
        return traced(profiler, opts, source, [], () => Reflect.apply(original, this, arguments));
      },
  );
  wrapMethod(
    db,
    'pragma',
    (original) =>
      function pragma(this: unknown, source: unknown): unknown {
        const profiler = tracingProfiler(opts);
        if (profiler === undefined || typeof source !== 'string') return Reflect.apply(original, this, arguments);
        return traced(profiler, opts, `PRAGMA ${source}`, [], () => Reflect.apply(original, this, arguments));
      },
  );
  wrapTransactionMethod(db, opts);
  return db;
}
