// mysql2 prepared statements (`conn.prepare()` → `statement.execute()`): mysql2 publishes no channel
// event for them, so the statements an instrumented connection hands out are wrapped.
import { AsyncResource } from 'node:async_hooks';
import { DbSpan, tracingProfiler, type DbSpanOptions } from './span.js';
import { defineHidden, isFunction } from './wrap.js';

const kArmed = Symbol('osprofiler.db.mysql2.statement');

/**
 * Wraps a core connection's `prepare(options, callback)`: the statement it calls back with gets a
 * traced `execute()`. The promise API (`mysql2/promise`) prepares through the core connection, so
 * its statements are covered too.
 */
export function armPrepare(connection: object, options: DbSpanOptions): void {
  const prepare = (connection as Record<string, unknown>).prepare;
  if (!isFunction(prepare)) return;
  defineHidden(connection, 'prepare', function (this: unknown, sqlOrOptions: unknown, callback?: unknown): unknown {
    if (!isFunction(callback)) return Reflect.apply(prepare, this, arguments);
    const armAndCall = function (this: unknown, error: unknown, statement: unknown): unknown {
      if (!error && statement !== null && typeof statement === 'object') armStatement(statement, options);
      return Reflect.apply(callback, this, arguments);
    };
    return Reflect.apply(prepare, this, [sqlOrOptions, armAndCall]);
  });
}

/**
 * A `db` span per `statement.execute(values?, callback?)` inside a trace, with `info.db =
 * {statement, params}` like execute() on the connection; stopped before the callback, which runs
 * in the caller's context. Without a callback the returned command's 'end' or 'error' stops it.
 * why: mysql2 caches prepared statements per connection, so one statement object may be handed
 * out many times; it is wrapped once.
 */
function armStatement(statement: object, options: DbSpanOptions): void {
  if (Object.hasOwn(statement, kArmed)) return;
  defineHidden(statement, kArmed, true);
  const execute = (statement as Record<string, unknown>).execute;
  if (!isFunction(execute)) return;
  defineHidden(statement, 'execute', function (this: unknown, values?: unknown, callback?: unknown): unknown {
    const profiler = tracingProfiler(options);
    if (profiler === undefined) return Reflect.apply(execute, this, arguments);
    let params = values;
    let done = callback;
    if (isFunction(params)) {
      done = params;
      params = undefined;
    }
    const span = new DbSpan(profiler, options, (this as { query?: unknown }).query, params ?? []);
    if (isFunction(done)) {
      const inCallerContext = AsyncResource.bind(done);
      const finish = function (this: unknown, error: unknown, result: unknown): unknown {
        span.finish(error, result);
        return Reflect.apply(inCallerContext, this, arguments);
      };
      try {
        return Reflect.apply(execute, this, params === undefined ? [finish] : [params, finish]);
      } catch (error) {
        span.fail(error);
        throw error;
      }
    }
    let command: unknown;
    try {
      command = Reflect.apply(execute, this, params === undefined ? [] : [params]);
    } catch (error) {
      span.fail(error);
      throw error;
    }
    const events = command as { once?: (event: string, fn: (value?: unknown) => void) => unknown } | null;
    if (events !== null && typeof events === 'object' && typeof events.once === 'function') {
      events.once('error', (error) => span.fail(error));
      events.once('end', () => span.succeed());
    } else {
      span.succeed();
    }
    return command;
  });
}
