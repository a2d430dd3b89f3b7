// MySQL/MariaDB (mysql2): marks the given connections/pools/clusters; the spans come from mysql2's TracingChannels.
import { currentProfiler } from '../../core/context.js';
import { ConfigError } from '../../errors.js';
import { logRateLimited } from '../../log.js';
import { armed, setAllOptions, subscribeMysql2 } from './mysql2-channels.js';
import { armPrepare } from './mysql2-prepared.js';
import { resolveOptions, type DbSpanOptions, type DbTraceOptions } from './span.js';
import { defineHidden, isFunction, type AnyFunction } from './wrap.js';

// why: a module-local Symbol marks what we already instrumented, so a second call (or a pool and
// one of its connections) never wraps twice and never traces one statement twice.
const kInstrumented = Symbol('osprofiler.db.mysql2');

type Loose = Record<string | symbol, unknown>;

/** Records the SQL and values as passed, before mysql2 formats them (query() inlines values). */
function capture(args: IArguments): void {
  const first = args[0] as unknown;
  const second = args[1] as unknown;
  if (first !== null && typeof first === 'object') {
    // query(options | Query command, values?, cb?) — read before mysql2 rewrites `sql` in place
    const o = first as { sql?: unknown; values?: unknown };
    armed.sql = o.sql;
    armed.values = second === undefined || isFunction(second) ? o.values : second;
  } else {
    armed.sql = first;
    armed.values = isFunction(second) ? undefined : second;
  }
}

function armedMethod(original: AnyFunction, options: DbSpanOptions): AnyFunction {
  return function (this: unknown): unknown {
    const { options: prevOptions, captured, sql, values, seen } = armed;
    armed.options = options;
    armed.seen = false;
    armed.captured = currentProfiler() !== undefined;
    if (armed.captured) capture(arguments);
    let threw = true;
    try {
      const result = Reflect.apply(original, this, arguments);
      threw = false;
      return result;
    } finally {
      if (!threw && armed.captured && !armed.seen) {
        logRateLimited(
          'warn',
          'db-mysql2-no-channel',
          'osprofiler: mysql2 published no mysql2:query/mysql2:execute event; tracing mysql2 needs mysql2 >= 3.20',
        );
      }
      armed.options = prevOptions;
      armed.captured = captured;
      armed.sql = sql;
      armed.values = values;
      armed.seen = seen;
    }
  };
}

function markOnce(target: object, value: unknown = true): boolean {
  const t = target as Loose;
  if (t[kInstrumented] !== undefined) return false;
  Object.defineProperty(target, kInstrumented, { value, configurable: true });
  return true;
}

/**
 * A core Connection or PoolConnection: query() and execute() set `armed` while they run; the
 * statements prepare() hands out trace their own execute().
 */
function armConnection(connection: object, options: DbSpanOptions): void {
  if (!markOnce(connection)) return;
  const c = connection as Loose;
  for (const name of ['query', 'execute']) {
    const original = c[name];
    if (isFunction(original)) defineHidden(connection, name, armedMethod(original, options));
  }
  armPrepare(connection, options);
}

/** A core Pool: its connections, now and as it opens more. */
function armPool(pool: object, options: DbSpanOptions): void {
  if (!markOnce(pool)) return;
  const p = pool as Loose & { prependListener?: (event: string, fn: (c: object) => void) => unknown };
  p.prependListener?.('connection', (connection: object) => {
    try {
      armConnection(connection, options);
    } catch {
      // a connection we cannot wrap is simply not traced
    }
  });
  const all = p._allConnections as { length?: unknown; get?: unknown } | undefined;
  if (all !== undefined && typeof all.length === 'number' && isFunction(all.get)) {
    for (let i = 0; i < all.length; i++) armConnection(all.get.call(all, i) as object, options);
  }
}

/** A core PoolCluster: every node's pool, now and as nodes are added (through `add`). */
function armCluster(cluster: object, options: DbSpanOptions, promiseWrapper?: object): void {
  const armNodes = (): void => {
    const nodes = (cluster as Loose)._nodes;
    if (nodes === null || typeof nodes !== 'object') return;
    for (const node of Object.values(nodes as Record<string, { pool?: unknown }>)) {
      if (node?.pool !== null && typeof node?.pool === 'object') armPool(node.pool, options);
    }
  };
  // why: PromisePoolCluster.add calls PoolCluster.prototype.add directly, so each object the user
  // may call add() on gets its own wrapper.
  for (const target of promiseWrapper === undefined ? [cluster] : [cluster, promiseWrapper]) {
    if (!markOnce(target)) continue;
    const add = (target as Loose).add;
    if (!isFunction(add)) continue;
    defineHidden(target, 'add', function (this: unknown): unknown {
      const result = Reflect.apply(add, this, arguments);
      armNodes();
      return result;
    });
  }
  armNodes();
}

function instrumentTarget(target: object, options: DbSpanOptions): boolean {
  const t = target as Loose;
  // promise wrappers (mysql2/promise) hold the core object
  if (t.poolCluster !== null && typeof t.poolCluster === 'object') {
    armCluster(t.poolCluster, options, target);
    return true;
  }
  if (t.poolNamespace !== null && typeof t.poolNamespace === 'object')
    return instrumentTarget(t.poolNamespace, options);
  if (t.pool !== null && typeof t.pool === 'object' && isFunction((t.pool as Loose).getConnection)) {
    return instrumentTarget(t.pool, options);
  }
  if (t.connection !== null && typeof t.connection === 'object' && isFunction((t.connection as Loose).query)) {
    return instrumentTarget(t.connection, options);
  }
  // core objects
  if (t._cluster !== null && typeof t._cluster === 'object') return instrumentTarget(t._cluster, options);
  if (t._nodes !== null && typeof t._nodes === 'object' && isFunction(t.of)) {
    armCluster(target, options);
    return true;
  }
  if (isFunction(t.getConnection) && isFunction(t.releaseConnection)) {
    armPool(target, options);
    return true;
  }
  if (isFunction(t.query) && isFunction(t.execute)) {
    armConnection(target, options);
    return true;
  }
  return false;
}

/**
 * Traces the statements (query(), execute() and the execute() of statements from prepare(), callback
 * and promise forms) of a mysql2
 * connection, pool, pool cluster or their `mysql2/promise` wrappers as `db` spans with `info.db =
 * {statement, params}` (SQL with `?` placeholders as passed; values as a list, or an object for
 * named placeholders). Uses mysql2's `mysql2:query`/`mysql2:execute` TracingChannels (mysql2 >=
 * 3.20), subscribed once per process; the given object is only marked, so that statements of other
 * connections are not recorded. Called with no target (`instrumentMysql2()` or
 * `instrumentMysql2(undefined, options)`), every mysql2 connection in the process is traced; their
 * statements are then recorded as mysql2 reports them (query() with the values inlined, so
 * `hideParams` cannot hide them there). Instrumenting twice changes nothing; mysql2 is never imported.
 * @throws ConfigError when `target` is not a mysql2 connection, pool, cluster or promise wrapper.
 * @since 0.1.0
 */
export function instrumentMysql2<T extends object>(target: T, options?: DbTraceOptions): T;
export function instrumentMysql2(target?: null, options?: DbTraceOptions): undefined;
export function instrumentMysql2<T extends object>(target?: T | null, options?: DbTraceOptions): T | undefined {
  const resolved = resolveOptions(options);
  if (target === undefined || target === null) {
    subscribeMysql2();
    setAllOptions(resolved);
    return undefined;
  }
  if (typeof target !== 'object' || !instrumentTarget(target, resolved)) {
    throw new ConfigError(
      'instrumentMysql2: expected a mysql2 Connection, Pool, PoolCluster or a mysql2/promise wrapper of one',
    );
  }
  subscribeMysql2();
  return target;
}
