// The mysql2 TracingChannels (mysql2 >= 3.20): one process-wide subscription that turns statements into db spans.
import diagnosticsChannel from 'node:diagnostics_channel';
import { contextStarted, contextStorage, currentProfiler } from '../../core/context.js';
import { debug } from '../../log.js';
import type { Profiler } from '../../core/profiler.js';
import { DbSpan, tracingProfiler, type DbSpanOptions } from './span.js';

/** The context object mysql2 publishes for `mysql2:query` / `mysql2:execute` (lib/base/connection.js). */
interface QueryContext {
  query?: unknown;
  values?: unknown;
  database?: unknown;
  error?: unknown;
  result?: unknown;
  [kSpan]?: DbSpan;
  [kCaller]?: Profiler | undefined;
}

const kSpan = Symbol('osprofiler.db.span');
const kCaller = Symbol('osprofiler.db.caller');

/**
 * What the instance wrappers (mysql2.ts) tell the start handler about the call in progress.
 * why: mysql2's context object does not say which connection runs the statement, and its `query`
 * already has the values inlined (query() formats client-side); the wrapper around an
 * instrumented connection's query()/execute() sets this for exactly the synchronous span of the
 * call, in which mysql2 publishes `start`.
 */
export interface ArmedCall {
  options: DbSpanOptions | undefined;
  /** Set only when a trace was active at the call: the SQL and values as the caller passed them. */
  captured: boolean;
  sql: unknown;
  values: unknown;
  /** Set by the start handler, so the wrapper can tell that mysql2 published nothing. */
  seen: boolean;
}

/** The call in progress; the wrappers save and restore it around each call. */
export const armed: ArmedCall = { options: undefined, captured: false, sql: undefined, values: undefined, seen: false };

/** Options for statements of connections nobody instrumented (set by `instrumentMysql2()` without a target). */
let allOptions: DbSpanOptions | undefined;

/** Traces statements of every mysql2 connection with `options` (undefined: only instrumented ones). */
export function setAllOptions(options: DbSpanOptions | undefined): void {
  allOptions = options;
}

interface Channels {
  query: diagnosticsChannel.TracingChannel<unknown, object>;
  execute: diagnosticsChannel.TracingChannel<unknown, object>;
  poolConnect: diagnosticsChannel.TracingChannel<unknown, object>;
}

// why: strong references for the life of the process — a channel object only weakly held can be
// collected with its subscribers on some Node versions, and tracing would silently stop.
let channels: Channels | undefined;
let storeBound = false;

function onStart(message: unknown): void {
  const ctx = message as QueryContext;
  rememberCaller(ctx);
  let options = allOptions;
  let statement = ctx.query;
  let params = ctx.values;
  if (armed.options !== undefined && !armed.seen) {
    armed.seen = true;
    options = armed.options;
    if (armed.captured) {
      statement = armed.sql ?? statement;
      params = armed.values;
    }
  }
  if (options === undefined) return;
  const profiler = tracingProfiler(options);
  if (profiler === undefined) return;
  ctx[kSpan] = new DbSpan(profiler, options, statement, params);
}

function onEnd(message: unknown): void {
  const ctx = message as QueryContext;
  // why: a synchronous throw publishes error+end and nothing after; a callback that ran
  // synchronously already stopped the span through asyncStart, so `open` is false then.
  const span = ctx[kSpan];
  if (span !== undefined && span.open && ctx.error !== undefined) span.fail(ctx.error);
}

function onAsyncStart(message: unknown): void {
  const ctx = message as QueryContext;
  // why: the statement is done when mysql2 hands back its outcome. asyncStart comes right before
  // the caller's callback and asyncEnd right after it, so stopping here keeps the callback's own
  // work (often the next statement) out of this statement's time; Node always publishes both.
  // error and asyncStart are one stop: Node sets ctx.error before publishing error, and
  // asyncStart always follows, so the stop is written here, once.
  ctx[kSpan]?.finish(ctx.error, ctx.result);
}

function onPoolConnectStart(message: unknown): void {
  rememberCaller(message as QueryContext);
}

/** The trace context of the code that called query()/getConnection(), for the callback later. */
function rememberCaller(ctx: QueryContext): void {
  if (!contextStarted()) return;
  ctx[kCaller] = currentProfiler();
  if (!storeBound) bindCallerContext();
}

/**
 * Runs mysql2 callbacks (a query's, and the pool's getConnection callback that runs a queued
 * pool.query) in the trace context of their caller.
 * why: mysql2 calls back from socket events and hands a queued request the connection another
 * request released, inside that request's context: without this, a statement could be recorded
 * in someone else's trace, or in a trace although its caller had none.
 */
function bindCallerContext(): void {
  const als = contextStorage();
  if (als === undefined || channels === undefined) return;
  storeBound = true;
  const transform = (message: object): Profiler | undefined => {
    const ctx = message as QueryContext;
    return kCaller in ctx ? ctx[kCaller] : als.getStore();
  };
  for (const ch of [channels.query, channels.execute, channels.poolConnect]) {
    (ch.asyncStart as unknown as diagnosticsChannel.Channel<Profiler | undefined, object>).bindStore(als, transform);
  }
}

/**
 * A subscriber that never throws.
 * why: Node turns an exception in a channel subscriber into an uncaught exception, which would
 * take the host process down for a tracing bug.
 */
function guarded(handler: (message: unknown) => void): (message: unknown) => void {
  return (message) => {
    try {
      handler(message);
    } catch (error) {
      debug('db: mysql2 channel handler failed: %s', error);
    }
  };
}

/**
 * Subscribes to `mysql2:query`, `mysql2:execute` and `mysql2:pool:connect`, once per process.
 * Returns false when this Node has no TracingChannel.
 */
export function subscribeMysql2(): boolean {
  if (channels !== undefined) return true;
  if (typeof diagnosticsChannel.tracingChannel !== 'function') {
    debug('db: no diagnostics_channel.tracingChannel in this Node; mysql2 statements are not traced');
    return false;
  }
  // why: Node subscribes only the handlers given (its typings ask for all five); asyncEnd and
  // error need none — the error is on the context object when asyncStart comes.
  type Subscribers = diagnosticsChannel.TracingChannelSubscribers<object>;
  const statementHandlers = {
    start: guarded(onStart),
    end: guarded(onEnd),
    asyncStart: guarded(onAsyncStart),
  } as unknown as Subscribers;
  channels = {
    query: diagnosticsChannel.tracingChannel('mysql2:query'),
    execute: diagnosticsChannel.tracingChannel('mysql2:execute'),
    poolConnect: diagnosticsChannel.tracingChannel('mysql2:pool:connect'),
  };
  channels.query.subscribe(statementHandlers);
  channels.execute.subscribe(statementHandlers);
  channels.poolConnect.subscribe({ start: guarded(onPoolConnectStart) } as unknown as Subscribers);
  if (contextStarted()) bindCallerContext();
  return true;
}
