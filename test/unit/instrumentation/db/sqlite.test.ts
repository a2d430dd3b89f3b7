import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadSqlite } from '../../../../src/drivers/sqlite/library.js';
import type BetterSqlite3 from 'better-sqlite3';
import { instrumentSqlite } from '../../../../src/instrumentation/db/sqlite.js';
import { runWithProfiler } from '../../../../src/core/current.js';
import { Profiler } from '../../../../src/core/profiler.js';
import { setNotifier } from '../../../../src/notifier/notifier.js';
import { withTrace } from '../../../../src/core/trace.js';
import { ConfigError } from '../../../../src/errors.js';
import type { Notification } from '../../../../src/core/payload.js';

const Database = loadSqlite();

let sent: Notification[] = [];
let db: BetterSqlite3.Database;
beforeEach(() => {
  sent = [];
  setNotifier((n) => sent.push(n));
  db = instrumentSqlite(new Database(':memory:'));
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
});
afterEach(() => {
  setNotifier(undefined);
  db.close();
});

const inTrace = <R>(fn: () => R): R => runWithProfiler(new Profiler('key', 'base', 'root'), fn);
const starts = (): Notification[] => sent.filter((n) => n.name === 'db-start');
const stopOf = (start: Notification): Notification | undefined =>
  sent.find((n) => n.name === 'db-stop' && n.trace_id === start.trace_id);
const dbInfo = (n: Notification) => n.info.db as Record<string, unknown>;
const statements = (): unknown[] => starts().map((n) => dbInfo(n).statement);

describe('instrumentSqlite (better-sqlite3)', () => {
  it('records run/get/all of prepared statements with their params, under the caller', () => {
    inTrace(() => {
      const insert = db.prepare('INSERT INTO t (id, name) VALUES (?, ?)');
      insert.run(1, 'a');
      insert.run([2, 'b']);
      assert.deepEqual(db.prepare('SELECT name FROM t WHERE id = ?').get(2), { name: 'b' });
      assert.equal(db.prepare('SELECT * FROM t WHERE id > @min').all({ min: 0 }).length, 2);
    });
    assert.deepEqual(starts().map(dbInfo), [
      { statement: 'INSERT INTO t (id, name) VALUES (?, ?)', params: [1, 'a'] },
      { statement: 'INSERT INTO t (id, name) VALUES (?, ?)', params: [2, 'b'] },
      { statement: 'SELECT name FROM t WHERE id = ?', params: [2] },
      { statement: 'SELECT * FROM t WHERE id > @min', params: { min: 0 } },
    ]);
    assert.equal(sent.length, 8);
    for (const start of starts()) {
      assert.equal(start.parent_id, 'root');
      assert.deepEqual(Object.keys(stopOf(start)!.info), ['host']);
    }
  });

  it('records values given to bind() for later executions', () => {
    inTrace(() => db.prepare('SELECT ? AS v').bind('bound').get());
    assert.deepEqual(dbInfo(starts()[0]!).params, ['bound']);
  });

  it('keeps an iterate() span open while rows are read, also when the loop stops early', () => {
    db.exec("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    inTrace(() => {
      const names: string[] = [];
      for (const row of db.prepare('SELECT name FROM t ORDER BY id').iterate() as Iterable<{ name: string }>) {
        assert.equal(sent.length, 1, 'no stop before the rows are read');
        names.push(row.name);
      }
      assert.deepEqual(names, ['a', 'b', 'c']);
      for (const row of db.prepare('SELECT id FROM t ORDER BY id').iterate() as Iterable<{ id: number }>) {
        if (row.id === 1) break;
      }
      // the statement was released: the connection is usable again
      db.prepare('SELECT 1').get();
    });
    assert.deepEqual(
      sent.map((n) => n.name),
      ['db-start', 'db-stop', 'db-start', 'db-stop', 'db-start', 'db-stop'],
    );
  });

  it('records exec() and pragma()', () => {
    inTrace(() => {
      db.exec('DELETE FROM t');
      db.pragma('user_version = 3');
      assert.equal(db.pragma('user_version', { simple: true }), 3);
    });
    assert.deepEqual(statements(), ['DELETE FROM t', 'PRAGMA user_version = 3', 'PRAGMA user_version']);
    assert.ok(starts().every((n) => Array.isArray(dbInfo(n).params) && (dbInfo(n).params as unknown[]).length === 0));
  });

  it('records a statement that fails to compile and throws the error unchanged', () => {
    let thrown: unknown;
    inTrace(() => {
      try {
        db.prepare('SELECT * FROM no_such_table WHERE id = ?');
      } catch (error) {
        thrown = error;
      }
    });
    assert.ok(thrown instanceof Database.SqliteError);
    const stop = stopOf(starts()[0]!)!;
    assert.deepEqual(stop.info, {
      etype: 'SqliteError',
      message: 'no such table: no_such_table',
      db: { original_exception: 'no such table: no_such_table', chained_exception: '' },
      host: stop.info.host,
    });
  });

  it('records a statement that fails when run, with the error reaching the caller unchanged', () => {
    const insert = db.prepare('INSERT INTO t (id, name) VALUES (?, ?)');
    insert.run(1, 'a');
    let thrown: unknown;
    inTrace(() => {
      try {
        insert.run(1, 'again');
      } catch (error) {
        thrown = error;
      }
    });
    assert.equal((thrown as { code?: string }).code, 'SQLITE_CONSTRAINT_PRIMARYKEY');
    assert.equal(stopOf(starts()[0]!)!.info.message, (thrown as Error).message);
  });

  it('records BEGIN, the statements and COMMIT of a transaction as siblings', () => {
    const insert = db.prepare('INSERT INTO t (id, name) VALUES (?, ?)');
    const insertMany = db.transaction((rows: Array<[number, string]>) => {
      for (const row of rows) insert.run(...row);
      return rows.length;
    });
    assert.equal(
      inTrace(() =>
        insertMany([
          [1, 'a'],
          [2, 'b'],
        ]),
      ),
      2,
    );
    assert.deepEqual(statements(), [
      'BEGIN',
      'INSERT INTO t (id, name) VALUES (?, ?)',
      'INSERT INTO t (id, name) VALUES (?, ?)',
      'COMMIT',
    ]);
    assert.ok(starts().every((n) => n.parent_id === 'root' && stopOf(n) !== undefined));
    assert.ok(sent.every((n) => n.name === 'db-start' || !('etype' in n.info)));
  });

  it('records ROLLBACK when the transaction function throws, and rethrows its error', () => {
    const failure = new Error('stop here');
    const failing = db.transaction(() => {
      db.prepare("INSERT INTO t VALUES (1, 'a')").run();
      throw failure;
    });
    assert.throws(
      () => inTrace(() => failing()),
      (e: unknown) => e === failure,
    );
    assert.deepEqual(statements(), ['BEGIN', "INSERT INTO t VALUES (1, 'a')", 'ROLLBACK']);
    assert.ok(!('etype' in stopOf(starts()[2]!)!.info), 'the rollback itself succeeded');
    assert.deepEqual(db.prepare('SELECT count(*) AS n FROM t').get(), { n: 0 });
  });

  it('records savepoints for nested transactions and keeps the variants and database properties', () => {
    const inner = db.transaction(() => db.prepare("INSERT INTO t VALUES (2, 'b')").run());
    const outer = db.transaction(() => {
      db.prepare("INSERT INTO t VALUES (1, 'a')").run();
      inner();
    });
    assert.equal(typeof outer.immediate, 'function');
    assert.equal((outer as unknown as { database: unknown }).database, db);
    assert.equal(outer.default, outer);
    inTrace(() => outer.immediate());
    assert.deepEqual(statements(), [
      'BEGIN IMMEDIATE',
      "INSERT INTO t VALUES (1, 'a')",
      'SAVEPOINT `\t_bs3.\t`',
      "INSERT INTO t VALUES (2, 'b')",
      'RELEASE `\t_bs3.\t`',
      'COMMIT',
    ]);
  });

  it('parents work done inside a statement (a user function) under the statement span', () => {
    db.function('traced_double', (x: number) => withTrace('udf', undefined, () => x * 2));
    inTrace(() => db.prepare('SELECT traced_double(?) AS v').get(21));
    const statement = starts()[0]!;
    const udf = sent.find((n) => n.name === 'udf-start')!;
    assert.equal(udf.parent_id, statement.trace_id);
  });

  it('records nothing outside a trace, and instrumenting twice traces once', () => {
    db.prepare('SELECT 1').get();
    assert.equal(sent.length, 0);
    instrumentSqlite(db);
    inTrace(() => db.prepare('SELECT 1').get());
    assert.equal(sent.length, 2);
  });

  it('applies hideParams, hideResult, name and enabled options', () => {
    let enabled = true;
    const other = instrumentSqlite(new Database(':memory:'), {
      hideParams: true,
      hideResult: false,
      name: 'sqlite',
      enabled: () => enabled,
    });
    try {
      inTrace(() => {
        other.prepare('SELECT ? AS secret').get('hunter2');
        enabled = false;
        other.prepare('SELECT 2').get();
      });
    } finally {
      other.close();
    }
    assert.deepEqual(
      sent.map((n) => n.name),
      ['sqlite-start', 'sqlite-stop'],
    );
    assert.deepEqual(sent[0]!.info.db, { statement: 'SELECT ? AS secret' });
    assert.deepEqual(sent[1]!.info.db, { result: "{ secret: 'hunter2' }" });
  });

  it('stores bigint, binary and huge params as JSON-safe, bounded values', () => {
    inTrace(() => db.prepare('SELECT ?, ?, ?').get(2n ** 62n, Buffer.alloc(1000), 'x'.repeat(5000)));
    const params = dbInfo(starts()[0]!).params as unknown[];
    assert.equal(params[0], '4611686018427387904');
    assert.equal(params[1], '<1000 bytes>');
    assert.match(params[2] as string, /^x{256}…\[4744 more chars\]$/);
    assert.doesNotThrow(() => JSON.stringify(sent));
  });

  it('rejects something that is not a database', () => {
    assert.throws(() => instrumentSqlite({} as unknown as BetterSqlite3.Database), ConfigError);
  });
});
