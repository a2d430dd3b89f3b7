// better-sqlite3 db.transaction(fn): records the BEGIN / COMMIT / ROLLBACK statements it runs as db spans.
import type { Profiler } from '../../core/profiler.js';
import { DbSpan, tracingProfiler, type DbSpanOptions } from './span.js';
import type { AnyFunction } from './wrap.js';

/** The statements better-sqlite3's transaction functions run (lib/methods/transaction.js). */
const BEGIN: Record<Variant, string> = {
  default: 'BEGIN',
  deferred: 'BEGIN DEFERRED',
  immediate: 'BEGIN IMMEDIATE',
  exclusive: 'BEGIN EXCLUSIVE',
};
const SAVEPOINT = 'SAVEPOINT `\t_bs3.\t`';
const RELEASE = 'RELEASE `\t_bs3.\t`';
const ROLLBACK_TO = 'ROLLBACK TO `\t_bs3.\t`';

type Variant = 'default' | 'deferred' | 'immediate' | 'exclusive';
const VARIANTS: readonly Variant[] = ['default', 'deferred', 'immediate', 'exclusive'];

interface TransactionDb {
  readonly inTransaction?: unknown;
}

/**
 * One running transaction call. better-sqlite3 runs BEGIN, then fn, then COMMIT (or ROLLBACK)
 * inside its own wrapper, so the boundaries are seen from outside (the wrapper) and inside (fn):
 * BEGIN is the time from entering the wrapper to entering fn, COMMIT/ROLLBACK from leaving fn to
 * leaving the wrapper.
 */
class TransactionCall {
  private begin: DbSpan | undefined;
  private end: DbSpan | undefined;
  private endIsRollback = false;
  private fnError: unknown;
  private returnedPromise = false;

  constructor(
    private readonly profiler: Profiler,
    private readonly options: DbSpanOptions,
    private readonly db: TransactionDb,
    private readonly nested: boolean,
    variant: Variant,
  ) {
    this.begin = new DbSpan(profiler, options, nested ? SAVEPOINT : BEGIN[variant], []);
  }

  entered(): void {
    this.begin?.succeed(undefined);
    this.begin = undefined;
  }

  returned(result: unknown): void {
    // why: better-sqlite3 rejects a promise-returning fn after it returns, and then rolls back.
    const thenable =
      result !== null &&
      (typeof result === 'object' || typeof result === 'function') &&
      typeof (result as { then?: unknown }).then === 'function';
    if (thenable) {
      this.returnedPromise = true;
      this.openRollback();
    } else {
      this.end = new DbSpan(this.profiler, this.options, this.nested ? RELEASE : 'COMMIT', []);
    }
  }

  threw(error: unknown): void {
    this.fnError = error;
    this.openRollback();
  }

  private openRollback(): void {
    // why: better-sqlite3 rolls back only while SQLite still has the transaction open.
    if (this.db.inTransaction !== true) return;
    this.endIsRollback = true;
    this.end = new DbSpan(this.profiler, this.options, this.nested ? ROLLBACK_TO : 'ROLLBACK', []);
  }

  finished(): void {
    this.end?.succeed(undefined);
  }

  failed(error: unknown): void {
    if (this.begin !== undefined) {
      this.begin.fail(error);
      return;
    }
    if (this.end === undefined) return;
    // the rollback itself worked when what surfaces is fn's own error (or the promise TypeError)
    if (this.endIsRollback && (error === this.fnError || this.returnedPromise)) this.end.succeed(undefined);
    else this.end.fail(error);
  }
}

// why: better-sqlite3 is synchronous, so the wrapper and the fn it calls always meet on one stack;
// a nested transaction pushes its own entry. `null` marks an untraced call.
const calls: Array<TransactionCall | null> = [];

/**
 * Wraps `db.transaction` so that the functions it returns (and their deferred/immediate/exclusive
 * variants) record their transaction-control statements. Statements fn runs are traced by the
 * instrumented prepare(); they become siblings of BEGIN and COMMIT, as with pg and mysql2.
 */
export function wrapTransactionMethod(db: object, options: DbSpanOptions): void {
  const original = (db as Record<string, unknown>).transaction;
  if (typeof original !== 'function') return;
  function transaction(this: unknown, fn: unknown): unknown {
    if (typeof fn !== 'function') return Reflect.apply(original as AnyFunction, this, arguments);
    const inner = function (this: unknown, ...args: unknown[]): unknown {
      const call = calls.length > 0 ? calls[calls.length - 1] : null;
      if (call === null) return Reflect.apply(fn as AnyFunction, this, args);
      call.entered();
      let result: unknown;
      try {
        result = Reflect.apply(fn as AnyFunction, this, args);
      } catch (error) {
        call.threw(error);
        throw error;
      }
      call.returned(result);
      return result;
    };
    const base = Reflect.apply(original as AnyFunction, this, [inner]) as Record<Variant, AnyFunction>;
    const traced = {} as Record<Variant, AnyFunction>;
    for (const variant of VARIANTS) {
      const run = variant === 'default' ? (base as unknown as AnyFunction) : base[variant];
      traced[variant] = tracedVariant(run, variant, db as TransactionDb, options);
    }
    const properties: PropertyDescriptorMap = { database: { value: this, enumerable: true } };
    for (const variant of VARIANTS) properties[variant] = { value: traced[variant] };
    for (const variant of VARIANTS) Object.defineProperties(traced[variant], properties);
    return traced.default;
  }
  Object.defineProperty(db, 'transaction', { value: transaction, writable: true, configurable: true });
}

function tracedVariant(run: AnyFunction, variant: Variant, db: TransactionDb, options: DbSpanOptions): AnyFunction {
  return function sqliteTransaction(this: unknown): unknown {
    const profiler = tracingProfiler(options);
    const call =
      profiler === undefined ? null : new TransactionCall(profiler, options, db, db.inTransaction === true, variant);
    calls.push(call);
    try {
      const result = Reflect.apply(run, this, arguments);
      call?.finished();
      return result;
    } catch (error) {
      call?.failed(error);
      throw error;
    } finally {
      calls.pop();
    }
  };
}
