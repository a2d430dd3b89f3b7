// DB tracing benchmark (issue 6): per-query cost of instrumentPg/instrumentSqlite without and with an active
// trace, as ratios to a trivial `SELECT 1` round trip to PostgreSQL (target: < 1 % without a trace).
// Run: node --import tsx bench/db-overhead.ts   (PG at 127.0.0.1:5432, user postgres, database test)
import pg from 'pg';
import { loadSqlite } from '../src/drivers/sqlite/library.js';
import { createNotifier, flush, runWithProfiler, setNotifier, Profiler } from '../src/index.js';
import { instrumentPg, instrumentSqlite } from '../src/db.js';
import { fmtNs, nsPerOp, nsPerOpAsync, row } from './harness.js';

const Database = loadSqlite();

const CHUNK = 10_000; // queries per chunk: 20k notifications stay below the queue's bound
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };

/** Median ns of one sequential `SELECT 1` round trip to PostgreSQL, or undefined when unreachable. */
async function pgRoundTrip(): Promise<number | undefined> {
  const client = new pg.Client({ ...PG, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch {
    return undefined;
  }
  try {
    for (let i = 0; i < 500; i++) await client.query('SELECT 1');
    const samples: number[] = [];
    for (let r = 0; r < 5; r++) {
      const n = 1000;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await client.query('SELECT 1');
      samples.push(Number(process.hrtime.bigint() - t0) / n);
    }
    samples.sort((a, b) => a - b);
    return samples[2];
  } finally {
    await client.end();
  }
}

/** A driver stand-in whose query() costs nothing: what remains is our wrapper's cost. */
function fakeClient(): { query(text: string, values?: unknown[]): Promise<unknown> } {
  const answer = Promise.resolve({ rows: [{ '?column?': 1 }], command: 'SELECT', rowCount: 1 });
  return { query: () => answer };
}

function useNoopDriver(): { stats(): { dropped: number; failed: number } } {
  const notifier = createNotifier('noop://', { maxBatchSize: 1000 });
  setNotifier(notifier);
  return notifier;
}

/** ns per awaited query through `client` (chunks of CHUNK queries, then a notifier flush). */
function awaitedQueries(client: ReturnType<typeof fakeClient>): Promise<number> {
  let pending: Array<Promise<unknown>> = [];
  return nsPerOpAsync(
    () => {
      for (let i = 0; i < CHUNK; i++) pending.push(client.query('SELECT 1'));
      return CHUNK;
    },
    async () => {
      await Promise.all(pending);
      pending = [];
      await flush();
    },
    200_000,
  );
}

async function main(): Promise<void> {
  const roundTrip = await pgRoundTrip();
  const pct = (ns: number): string =>
    roundTrip === undefined
      ? '(no PostgreSQL: ratio unavailable)'
      : `${((ns / roundTrip) * 100).toFixed(3)} % of a PG round trip`;
  console.log('db tracing overhead per query (median ns; overhead = instrumented - plain)\n');
  row('PostgreSQL `SELECT 1` round trip (pg, sequential)', roundTrip === undefined ? 'unreachable' : fmtNs(roundTrip));

  // 1. no active trace, before any trace ever ran (no AsyncLocalStorage exists yet)
  let sink: unknown;
  const plain = fakeClient();
  const wrapped = instrumentPg(fakeClient());
  const plainCall = nsPerOp(() => (sink = plain.query('SELECT 1')), 2_000_000);
  const wrappedCall = nsPerOp(() => (sink = wrapped.query('SELECT 1')), 2_000_000);
  row('pg query(), no trace, none ever started: plain', fmtNs(plainCall));
  row(
    'pg query(), no trace, none ever started: instrumented',
    fmtNs(wrappedCall),
    pct(Math.max(0, wrappedCall - plainCall)),
  );

  // 2. no active trace in a process where traces do run (the usual service state)
  const notifier = useNoopDriver();
  await runWithProfiler(new Profiler('key'), () => wrapped.query('SELECT 1'));
  const plainAfter = nsPerOp(() => (sink = plain.query('SELECT 1')), 2_000_000);
  const wrappedAfter = nsPerOp(() => (sink = wrapped.query('SELECT 1')), 2_000_000);
  const idleOverhead = Math.max(0, wrappedAfter - plainAfter);
  row('pg query(), no trace, traces elsewhere: plain', fmtNs(plainAfter));
  row('pg query(), no trace, traces elsewhere: instrumented', fmtNs(wrappedAfter), pct(idleOverhead));
  row(
    '  target: < 1 % of the round trip',
    roundTrip === undefined ? '?' : idleOverhead / roundTrip < 0.01 ? 'met' : 'MISSED',
  );

  // 3. active trace, no-op driver: the full span cost (2 notifications through the notifier)
  const profiler = new Profiler('key');
  const plainAwaited = await runWithProfiler(profiler, () => awaitedQueries(plain));
  const tracedAwaited = await runWithProfiler(profiler, () => awaitedQueries(wrapped));
  const spanOverhead = Math.max(0, tracedAwaited - plainAwaited);
  row('pg await query(), in a trace: plain', fmtNs(plainAwaited));
  row('pg await query(), in a trace: instrumented (no-op driver)', fmtNs(tracedAwaited), pct(spanOverhead));

  // 4. better-sqlite3 (synchronous, in memory): the cost relative to the query itself
  const rawDb = new Database(':memory:');
  const tracedDb = instrumentSqlite(new Database(':memory:'));
  const rawStmt = rawDb.prepare('SELECT 1');
  const tracedStmt = tracedDb.prepare('SELECT 1');
  const sqlitePlain = nsPerOp(() => (sink = rawStmt.get()), 500_000);
  const sqliteIdle = nsPerOp(() => (sink = tracedStmt.get()), 500_000);
  const sqliteTraced = await runWithProfiler(profiler, () =>
    nsPerOpAsync(
      () => {
        for (let i = 0; i < CHUNK; i++) sink = tracedStmt.get();
        return CHUNK;
      },
      () => flush(),
      200_000,
    ),
  );
  row('better-sqlite3 stmt.get() `SELECT 1`: plain', fmtNs(sqlitePlain));
  row(
    'better-sqlite3 stmt.get(), no trace: instrumented',
    fmtNs(sqliteIdle),
    `x${(sqliteIdle / sqlitePlain).toFixed(3)} of plain`,
  );
  row(
    'better-sqlite3 stmt.get(), in a trace (no-op driver)',
    fmtNs(sqliteTraced),
    `x${(sqliteTraced / sqlitePlain).toFixed(2)} of plain`,
  );
  rawDb.close();
  tracedDb.close();

  const stats = notifier.stats();
  if (stats.dropped > 0 || stats.failed > 0) throw new Error(`bench invalid: ${JSON.stringify(stats)}`);
  setNotifier(undefined);
  void sink;
}

await main();
