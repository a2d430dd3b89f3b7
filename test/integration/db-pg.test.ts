// instrumentPg against the real PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth, database `test`).
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { instrumentPg } from '../../src/db.js';
import { runWithProfiler } from '../../src/core/current.js';
import { currentProfiler } from '../../src/core/context.js';
import { Profiler } from '../../src/core/profiler.js';
import { setNotifier } from '../../src/notifier/notifier.js';
import { withTrace } from '../../src/core/trace.js';
import { captureNotifications, dbInfo, inTrace } from '../helpers/capture.js';
import { assertEachTaskParentsItsStatement, assertErrorStop } from '../helpers/db-asserts.js';
import { requireService, tcpProbe } from '../helpers/services.js';

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };

const { skip } = await requireService('PostgreSQL on 127.0.0.1:5432', tcpProbe(PG.host, PG.port));

const capture = captureNotifications();
const { sent, listen, starts, stopOf } = capture;

describe('instrumentPg with a real PostgreSQL', { skip }, () => {
  let pool: pg.Pool;
  let client: pg.Client;

  before(async () => {
    pool = instrumentPg(new pg.Pool({ ...PG, max: 2 }));
    client = instrumentPg(new pg.Client(PG));
    await client.connect();
    await client.query('DROP TABLE IF EXISTS osp_pg_items');
    await client.query('CREATE TABLE osp_pg_items (id int PRIMARY KEY, name text NOT NULL)');
  });
  after(async () => {
    setNotifier(undefined);
    await client.query('DROP TABLE IF EXISTS osp_pg_items');
    await client.end();
    await pool.end();
  });
  beforeEach(listen);

  it('records a promise-form query: statement with $n placeholders, params as a list, parent = caller', async () => {
    const result = await inTrace(() => client.query('SELECT $1::int + $2::int AS total', [1, 2]));
    assert.equal(result.rows[0].total, 3);
    assert.equal(sent.length, 2);
    const [start, stop] = sent;
    assert.equal(start!.name, 'db-start');
    assert.equal(start!.parent_id, 'root');
    assert.deepEqual(Object.keys(start!.info), ['db', 'host']);
    assert.deepEqual(start!.info.db, { statement: 'SELECT $1::int + $2::int AS total', params: [1, 2] });
    assert.equal(stop!.name, 'db-stop');
    assert.equal(stop!.trace_id, start!.trace_id);
    assert.deepEqual(Object.keys(stop!.info), ['host'], 'results are hidden by default');
  });

  it('records the callback form and runs the callback in the caller trace context', async () => {
    const profiler = new Profiler('key', 'base', 'root');
    const inCallback = await runWithProfiler(
      profiler,
      () =>
        new Promise<Profiler | undefined>((resolve, reject) => {
          client.query('SELECT 1 AS one', (err: Error | null) => (err ? reject(err) : resolve(currentProfiler())));
        }),
    );
    assert.equal(inCallback, profiler);
    assert.deepEqual(dbInfo(starts()[0]!), { statement: 'SELECT 1 AS one', params: [] });
    assert.ok(stopOf(starts()[0]!));
  });

  it('records query config objects and named (prepared) queries on every execution', async () => {
    await inTrace(async () => {
      await client.query({ text: 'SELECT $1::text AS v', values: ['cfg'] });
      await client.query({ name: 'osp-named', text: 'SELECT $1::int * 2 AS v', values: [21] });
      const again = await client.query({ name: 'osp-named', text: 'SELECT $1::int * 2 AS v', values: [4] });
      assert.equal(again.rows[0].v, 8);
    });
    assert.deepEqual(starts().map(dbInfo), [
      { statement: 'SELECT $1::text AS v', params: ['cfg'] },
      { statement: 'SELECT $1::int * 2 AS v', params: [21] },
      { statement: 'SELECT $1::int * 2 AS v', params: [4] },
    ]);
    assert.equal(sent.length, 6);
  });

  it('records a failing statement with etype, message and db error info; the caller gets the error', async () => {
    let seen: unknown;
    await assert.rejects(
      inTrace(() => client.query('SELECT * FROM osp_no_such_table WHERE id = $1', [7])),
      (error: unknown) => {
        seen = error;
        return error instanceof pg.DatabaseError && error.code === '42P01';
      },
    );
    assertErrorStop(stopOf(starts()[0]!)!, 'DatabaseError', (seen as Error).message);
    assert.deepEqual(dbInfo(starts()[0]!).params, [7]);
  });

  it('passes a callback-form error to the callback unchanged', async () => {
    const error = await inTrace(
      () => new Promise<unknown>((resolve) => client.query('SELEC 1', (err: unknown) => resolve(err))),
    );
    assert.ok(error instanceof pg.DatabaseError);
    assert.equal(stopOf(starts()[0]!)!.info.etype, 'DatabaseError');
  });

  it('records each statement of a transaction on a client checked out from the pool', async () => {
    await inTrace(async () => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query('INSERT INTO osp_pg_items (id, name) VALUES ($1, $2)', [1, 'a']);
        await c.query('INSERT INTO osp_pg_items (id, name) VALUES ($1, $2)', [1, 'dup']).catch(() => undefined);
        await c.query('ROLLBACK');
      } finally {
        c.release();
      }
    });
    assert.deepEqual(
      starts().map((n) => dbInfo(n).statement),
      [
        'BEGIN',
        'INSERT INTO osp_pg_items (id, name) VALUES ($1, $2)',
        'INSERT INTO osp_pg_items (id, name) VALUES ($1, $2)',
        'ROLLBACK',
      ],
    );
    const duplicate = stopOf(starts()[2]!)!;
    assert.equal(duplicate.info.etype, 'DatabaseError');
    assert.match(String(duplicate.info.message), /duplicate key/);
    assert.ok(starts().every((n) => n.parent_id === 'root'));
  });

  it('parents parallel pool queries within one trace to their own callers, even when they queue', async () => {
    await inTrace(() =>
      Promise.all(
        [0, 1, 2, 3, 4].map((i) =>
          withTrace('task', { i }, () => pool.query('SELECT $1::int AS i, pg_sleep(0.01)', [i])),
        ),
      ),
    );
    const tasks = sent.filter((n) => n.name === 'task-start');
    assert.equal(tasks.length, 5);
    assert.equal(starts().length, 5);
    assertEachTaskParentsItsStatement(capture);
  });

  it('keeps concurrent traces apart when pool.query waits for a client another trace releases', async () => {
    const small = instrumentPg(new pg.Pool({ ...PG, max: 1 }));
    try {
      await Promise.all(
        ['t1', 't2', 't3'].flatMap((base) => [
          inTrace(() => small.query('SELECT $1::text AS who, pg_sleep(0.005)', [base]), base),
          inTrace(
            () =>
              new Promise<void>((resolve, reject) =>
                small.query('SELECT $1::text AS who', [base], (err: Error | undefined) =>
                  err ? reject(err) : resolve(),
                ),
              ),
            base,
          ),
        ]),
      );
      // and a query outside any trace, queued behind traced ones, records nothing
      await Promise.all([
        inTrace(() => small.query('SELECT pg_sleep(0.01)'), 't1'),
        small.query('SELECT 1 AS untraced'),
      ]);
    } finally {
      await small.end();
    }
    assert.equal(starts().length, 7);
    for (const start of starts()) {
      const who = (dbInfo(start).params as string[])[0];
      if (who !== undefined) assert.equal(start.base_id, who, 'each statement is in the trace that ran it');
      assert.equal(stopOf(start)?.base_id, start.base_id);
    }
    assert.ok(!starts().some((n) => dbInfo(n).statement === 'SELECT 1 AS untraced'));
  });

  it('runs a pool.query callback in the caller context, so a nested query has the caller as parent', async () => {
    await inTrace(() =>
      withTrace(
        'outer',
        undefined,
        () =>
          new Promise<void>((resolve, reject) => {
            pool.query('SELECT 1 AS a', (err) => {
              if (err) return reject(err);
              pool.query('SELECT 2 AS b').then(() => resolve(), reject);
            });
          }),
      ),
    );
    const outer = sent.find((n) => n.name === 'outer-start')!;
    assert.deepEqual(
      starts().map((n) => [dbInfo(n).statement, n.parent_id]),
      [
        ['SELECT 1 AS a', outer.trace_id],
        ['SELECT 2 AS b', outer.trace_id],
      ],
    );
  });

  it('records nothing when no trace is active', async () => {
    await client.query('SELECT 1');
    await pool.query('SELECT $1::int', [1]);
    assert.equal(sent.length, 0);
  });

  it('instrumenting the same client or pool again does not trace twice', async () => {
    instrumentPg(client);
    instrumentPg(pool);
    await inTrace(() => Promise.all([client.query('SELECT 1'), pool.query('SELECT 2')]));
    assert.equal(starts().length, 2);
    assert.equal(sent.length, 4);
  });

  it('shows results with hideResult false and leaves params out with hideParams', async () => {
    const c = instrumentPg(new pg.Client(PG), { hideResult: false, hideParams: true, name: 'sql' });
    await c.connect();
    try {
      await inTrace(async () => {
        await c.query('SELECT $1::text AS secret', ['hunter2']);
        await c.query('SET application_name = $$osp$$');
      });
    } finally {
      await c.end();
    }
    assert.deepEqual(
      sent.map((n) => n.name),
      ['sql-start', 'sql-stop', 'sql-start', 'sql-stop'],
    );
    assert.deepEqual(sent[0]!.info.db, { statement: 'SELECT $1::text AS secret' });
    assert.ok(!JSON.stringify(sent[0]).includes('hunter2'), 'the bound value is not in the start');
    assert.match(String((sent[1]!.info.db as Record<string, unknown>).result), /secret: 'hunter2'/);
    assert.match(String((sent[3]!.info.db as Record<string, unknown>).result), /command: 'SET'/);
  });

  it('follows the enabled() option on every statement', async () => {
    let enabled = false;
    const c = instrumentPg(new pg.Client(PG), { enabled: () => enabled });
    await c.connect();
    try {
      await inTrace(() => c.query('SELECT 1'));
      enabled = true;
      await inTrace(() => c.query('SELECT 2'));
    } finally {
      await c.end();
    }
    assert.deepEqual(
      starts().map((n) => dbInfo(n).statement),
      ['SELECT 2'],
    );
  });

  it('records a submitted pg.Query (event form) until it ends or fails', async () => {
    await inTrace(async () => {
      const rows: unknown[] = [];
      const query = client.query(new pg.Query('SELECT generate_series(1, $1::int) AS n', [3]));
      query.on('row', (row: unknown) => rows.push(row));
      await new Promise((resolve, reject) => query.on('end', resolve).on('error', reject));
      assert.equal(rows.length, 3);
      const failing = client.query(new pg.Query('SELECT * FROM osp_missing'));
      await new Promise<void>((resolve) => failing.on('error', () => resolve()));
    });
    assert.equal(starts().length, 2);
    assert.deepEqual(dbInfo(starts()[0]!), { statement: 'SELECT generate_series(1, $1::int) AS n', params: [3] });
    assert.deepEqual(Object.keys(stopOf(starts()[0]!)!.info), ['host']);
    assert.equal(stopOf(starts()[1]!)!.info.etype, 'DatabaseError');
  });
});
