// instrumentMysql2 against the real MariaDB on 127.0.0.1:3306 (root, empty password, database `test`).
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { instrumentMysql2 } from '../../src/db.js';
import { runWithProfiler } from '../../src/core/current.js';
import { currentProfiler } from '../../src/core/context.js';
import { Profiler } from '../../src/core/profiler.js';
import { setNotifier } from '../../src/notifier/notifier.js';
import { withTrace } from '../../src/core/trace.js';
import { captureNotifications, dbInfo, inTrace } from '../helpers/capture.js';
import { assertEachTaskParentsItsStatement, assertErrorStop } from '../helpers/db-asserts.js';
import { requireService, tcpProbe } from '../helpers/services.js';

const MY = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' };

const { skip } = await requireService('MariaDB/MySQL on 127.0.0.1:3306', tcpProbe(MY.host, MY.port));

const capture = captureNotifications();
const { sent, listen, starts, stopOf } = capture;
const statements = (): unknown[] => starts().map((n) => dbInfo(n).statement);

describe('instrumentMysql2 with a real MariaDB', { skip }, () => {
  let pool: mysqlPromise.Pool;
  let conn: mysql.Connection;

  before(async () => {
    pool = instrumentMysql2(mysqlPromise.createPool({ ...MY, connectionLimit: 2 }));
    conn = instrumentMysql2(mysql.createConnection(MY));
    await pool.query('DROP TABLE IF EXISTS osp_my_items');
    await pool.query('CREATE TABLE osp_my_items (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL)');
  });
  after(async () => {
    setNotifier(undefined);
    await pool.query('DROP TABLE IF EXISTS osp_my_items');
    await pool.end();
    await new Promise((resolve) => conn.end(resolve));
  });
  beforeEach(listen);

  it('records a promise pool query with ? placeholders as written (not inlined) and params as a list', async () => {
    const [rows] = await inTrace(() => pool.query('SELECT ? + ? AS total', [1, 2]));
    assert.deepEqual(rows, [{ total: 3 }]);
    assert.equal(sent.length, 2);
    const [start, stop] = sent;
    assert.equal(start!.parent_id, 'root', 'the start handler sees the caller trace context');
    assert.deepEqual(Object.keys(start!.info), ['db', 'host']);
    assert.deepEqual(start!.info.db, { statement: 'SELECT ? + ? AS total', params: [1, 2] });
    assert.equal(stop!.name, 'db-stop');
    assert.deepEqual(Object.keys(stop!.info), ['host']);
  });

  it('records execute() (server-side prepared) in promise and callback forms', async () => {
    await inTrace(async () => {
      await pool.execute('SELECT ? AS v', ['p']);
      await new Promise<void>((resolve, reject) =>
        conn.execute('SELECT ? AS v', ['c'], (err) => (err ? reject(err) : resolve())),
      );
    });
    assert.deepEqual(starts().map(dbInfo), [
      { statement: 'SELECT ? AS v', params: ['p'] },
      { statement: 'SELECT ? AS v', params: ['c'] },
    ]);
    assert.ok(starts().every((n) => stopOf(n) !== undefined));
  });

  it('stops a callback-form statement before its callback, which runs in the caller context', async () => {
    const profiler = new Profiler('key', 'base', 'root');
    const inCallback = await runWithProfiler(
      profiler,
      () =>
        new Promise<Profiler | undefined>((resolve, reject) => {
          conn.query('SELECT 1 AS one', (err) => {
            if (err) return reject(err);
            const current = currentProfiler();
            conn.query('SELECT 2 AS two', (err2) => (err2 ? reject(err2) : resolve(current)));
          });
        }),
    );
    assert.equal(inCallback, profiler);
    assert.deepEqual(
      sent.map((n) => [n.name, n.name === 'db-start' ? dbInfo(n).statement : undefined]),
      [
        ['db-start', 'SELECT 1 AS one'],
        ['db-stop', undefined],
        ['db-start', 'SELECT 2 AS two'],
        ['db-stop', undefined],
      ],
    );
    assert.ok(starts().every((n) => n.parent_id === 'root'));
  });

  it('records the execute() of statements from prepare(), promise and callback forms, once each', async () => {
    const outside = await pool.getConnection();
    try {
      // prepared outside the trace (mysql2 then caches it per connection), executed inside
      const statement = await outside.prepare('SELECT ? + ? AS total');
      const again = await outside.prepare('SELECT ? + ? AS total');
      const totals = await inTrace(async () => {
        const [first] = await statement.execute([1, 2]);
        const [second] = await again.execute([3, 4]);
        return [first, second];
      });
      assert.deepEqual(totals, [[{ total: 3 }], [{ total: 7 }]]);
      await statement.execute([5, 6]); // outside the trace: nothing recorded
      statement.close();
    } finally {
      outside.release();
    }
    const profiler = new Profiler('key', 'base', 'root');
    const inCallback = await runWithProfiler(
      profiler,
      () =>
        new Promise<Profiler | undefined>((resolve, reject) => {
          conn.prepare('SELECT ? AS v', (err, statement) => {
            if (err) return reject(err);
            statement.execute(['cb'], (err2) => {
              if (err2) return reject(err2);
              resolve(currentProfiler());
            });
          });
        }),
    );
    assert.equal(inCallback, profiler, 'the callback runs in the caller context');
    assert.deepEqual(starts().map(dbInfo), [
      { statement: 'SELECT ? + ? AS total', params: [1, 2] },
      { statement: 'SELECT ? + ? AS total', params: [3, 4] },
      { statement: 'SELECT ? AS v', params: ['cb'] },
    ]);
    assert.ok(starts().every((n) => n.parent_id === 'root' && stopOf(n) !== undefined));
  });

  it('records a failing prepared execute() with its error, which reaches the caller', async () => {
    const c = await pool.getConnection();
    try {
      const insert = await c.prepare('INSERT INTO osp_my_items (id, name) VALUES (?, ?)');
      await inTrace(async () => {
        await insert.execute([901, 'a']);
        await assert.rejects(insert.execute([901, 'b']), (error: unknown) => {
          return (error as { code?: string }).code === 'ER_DUP_ENTRY';
        });
      });
      insert.close();
      await c.query('DELETE FROM osp_my_items WHERE id = 901');
    } finally {
      c.release();
    }
    const [ok, failed] = starts();
    assert.equal(stopOf(ok!)!.info.etype, undefined);
    assert.equal(stopOf(failed!)!.info.etype, 'Error');
    assert.match(String(stopOf(failed!)!.info.message), /Duplicate entry/);
  });

  it('records a failing statement with etype, message and db error info; the caller gets the error', async () => {
    let seen: unknown;
    await assert.rejects(
      inTrace(() => pool.query('SELECT * FROM osp_no_such_table WHERE id = ?', [7])),
      (error: unknown) => {
        seen = error;
        return (error as { code?: string }).code === 'ER_NO_SUCH_TABLE';
      },
    );
    assertErrorStop(stopOf(starts()[0]!)!, 'Error', (seen as Error).message);
    const error = await inTrace(() => new Promise<unknown>((resolve) => conn.query('SELEC 1', (err) => resolve(err))));
    assert.equal((error as { code?: string }).code, 'ER_PARSE_ERROR');
    assert.equal(sent.filter((n) => n.name === 'db-stop' && n.info.etype === 'Error').length, 2);
  });

  it('records the statements of a transaction (beginTransaction/commit/rollback run as queries)', async () => {
    await inTrace(async () => {
      const c = await pool.getConnection();
      try {
        await c.beginTransaction();
        await c.query('INSERT INTO osp_my_items (id, name) VALUES (?, ?)', [1, 'a']);
        await c.query('INSERT INTO osp_my_items (id, name) VALUES (?, ?)', [1, 'dup']).catch(() => undefined);
        await c.rollback();
      } finally {
        c.release();
      }
    });
    assert.deepEqual(statements(), [
      'START TRANSACTION',
      'INSERT INTO osp_my_items (id, name) VALUES (?, ?)',
      'INSERT INTO osp_my_items (id, name) VALUES (?, ?)',
      'ROLLBACK',
    ]);
    assert.match(String(stopOf(starts()[2]!)!.info.message), /Duplicate entry/);
  });

  it('parents parallel pool queries within one trace to their own callers, even when they queue', async () => {
    await inTrace(() =>
      Promise.all(
        [0, 1, 2, 3, 4].map((i) => withTrace('task', { i }, () => pool.query('SELECT ? AS i, SLEEP(0.01)', [i]))),
      ),
    );
    assert.equal(starts().length, 5);
    assertEachTaskParentsItsStatement(capture);
  });

  it('keeps concurrent traces apart when a queued pool query gets a connection another trace released', async () => {
    const small = mysql.createPool({ ...MY, connectionLimit: 1 });
    instrumentMysql2(small);
    try {
      await Promise.all(
        ['t1', 't2', 't3'].map((base) =>
          inTrace(
            () =>
              new Promise<void>((resolve, reject) =>
                small.query('SELECT ? AS who, SLEEP(0.005)', [base], (err) => (err ? reject(err) : resolve())),
              ),
            base,
          ),
        ),
      );
      await Promise.all([
        inTrace(() => small.promise().query('SELECT SLEEP(0.01)'), 't1'),
        small.promise().query('SELECT 1 AS untraced'),
      ]);
    } finally {
      await small.promise().end();
    }
    assert.equal(starts().length, 4);
    for (const start of starts().slice(0, 3)) {
      assert.equal(start.base_id, (dbInfo(start).params as string[])[0]);
      assert.equal(stopOf(start)?.base_id, start.base_id);
    }
    assert.ok(!statements().includes('SELECT 1 AS untraced'));
  });

  it('records nothing outside a trace, and nothing for connections that were not instrumented', async () => {
    await pool.query('SELECT 1');
    const other = mysqlPromise.createPool({ ...MY, connectionLimit: 1 });
    try {
      await inTrace(() => other.query('SELECT 1 AS other'));
    } finally {
      await other.end();
    }
    assert.equal(sent.length, 0);
  });

  it('traces pool clusters, including nodes added after instrumenting (core and promise API)', async () => {
    const cluster = mysql.createPoolCluster();
    cluster.add('first', MY);
    instrumentMysql2(cluster);
    cluster.add('second', MY);
    const promised = mysqlPromise.createPoolCluster();
    instrumentMysql2(promised);
    promised.add('only', MY);
    try {
      await inTrace(async () => {
        for (const node of ['first', 'second']) {
          await new Promise<void>((resolve, reject) =>
            cluster.of(node).query('SELECT ? AS node', [node], (err) => (err ? reject(err) : resolve())),
          );
        }
        await promised.of('only').query('SELECT ? AS node', ['only']);
        await promised.of('only').execute('SELECT ? AS node', ['exec']);
      });
    } finally {
      await new Promise((resolve) => cluster.end(resolve));
      await promised.end();
    }
    assert.deepEqual(
      starts().map((n) => dbInfo(n).params),
      [['first'], ['second'], ['only'], ['exec']],
    );
  });

  it('instrumenting twice (or a pool and its promise wrapper) does not trace twice', async () => {
    instrumentMysql2(pool);
    instrumentMysql2(pool.pool);
    instrumentMysql2(conn);
    await inTrace(async () => {
      await pool.query('SELECT 1');
      await new Promise((resolve) => conn.query('SELECT 2', resolve));
    });
    assert.equal(sent.length, 4);
  });

  it('records event-emitter (streaming) queries until they end', async () => {
    const rows: unknown[] = [];
    await inTrace(
      () =>
        new Promise<void>((resolve, reject) => {
          conn
            .query('SELECT 1 AS a UNION ALL SELECT 2')
            .on('result', (row) => rows.push(row))
            .on('error', reject)
            .on('end', () => resolve());
        }),
    );
    assert.equal(rows.length, 2);
    assert.equal(sent.length, 2);
    assert.equal(sent[1]!.name, 'db-stop');
  });

  it('keeps named placeholders and their values as an object; hideParams and hideResult apply', async () => {
    const c = await mysqlPromise.createConnection({ ...MY, namedPlaceholders: true });
    instrumentMysql2(c, { hideResult: false });
    const h = await mysqlPromise.createConnection(MY);
    instrumentMysql2(h, { hideParams: true });
    try {
      await inTrace(async () => {
        await c.query('SELECT :a + :b AS total', { a: 2, b: 3 });
        await h.query('SELECT ? AS secret', ['hunter2']);
      });
    } finally {
      await c.end();
      await h.end();
    }
    assert.deepEqual(dbInfo(starts()[0]!), { statement: 'SELECT :a + :b AS total', params: { a: 2, b: 3 } });
    assert.match(String((stopOf(starts()[0]!)!.info.db as Record<string, unknown>).result), /total: 5/);
    assert.deepEqual(dbInfo(starts()[1]!), { statement: 'SELECT ? AS secret' });
    assert.ok(!JSON.stringify(sent).includes('hunter2'));
  });

  // last: instrumentMysql2() without a target changes the process-wide state
  it('with no target, traces every mysql2 connection in the process', async () => {
    const other = mysqlPromise.createPool({ ...MY, connectionLimit: 1 });
    try {
      await other.query('SELECT 0 AS before_all');
      instrumentMysql2();
      await inTrace(() => other.query('SELECT ? AS anyone', [1]));
    } finally {
      await other.end();
    }
    assert.equal(starts().length, 1);
    assert.equal(dbInfo(starts()[0]!).statement, 'SELECT 1 AS anyone', 'as mysql2 reports it: values inlined');
  });
});
