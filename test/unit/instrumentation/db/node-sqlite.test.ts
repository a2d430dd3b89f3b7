// instrumentSqlite on node:sqlite's DatabaseSync (Node >= 22.13 without a flag; CI runs it on Node 24).
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { instrumentSqlite } from '../../../../src/instrumentation/db/sqlite.js';
import { setNotifier } from '../../../../src/notifier/notifier.js';
import { captureNotifications, dbInfo, inTrace } from '../../../helpers/capture.js';

interface StatementSync {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): Iterable<unknown>;
}
interface DatabaseSync {
  prepare(source: string): StatementSync;
  exec(source: string): void;
  close(): void;
}

/** node:sqlite's DatabaseSync, or why this Node.js has none. */
function loadNodeSqlite(): { DatabaseSync: new (path: string) => DatabaseSync } | string {
  try {
    return createRequire(import.meta.url)('node:sqlite') as { DatabaseSync: new (path: string) => DatabaseSync };
  } catch {
    return `node:sqlite is not available without a flag on Node ${process.versions.node} (it is from 22.13; CI runs this on Node 24)`;
  }
}
const nodeSqlite = loadNodeSqlite();
const skip = typeof nodeSqlite === 'string' ? nodeSqlite : false;

describe('instrumentSqlite (node:sqlite DatabaseSync)', { skip }, () => {
  const { sent, listen, starts } = captureNotifications();
  let db: DatabaseSync;
  beforeEach(() => {
    listen();
    const { DatabaseSync } = nodeSqlite as Exclude<typeof nodeSqlite, string>;
    db = instrumentSqlite(new DatabaseSync(':memory:'));
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  });
  afterEach(() => {
    setNotifier(undefined);
    db.close();
  });

  it('records run/get/all/iterate of prepared statements with their params, under the caller', () => {
    const names = inTrace(() => {
      const insert = db.prepare('INSERT INTO t (id, name) VALUES (?, ?)');
      insert.run(1, 'a');
      insert.run(2, 'b');
      assert.deepEqual({ ...(db.prepare('SELECT name FROM t WHERE id = ?').get(2) as object) }, { name: 'b' });
      assert.equal(db.prepare('SELECT * FROM t WHERE id > :min').all({ min: 0 }).length, 2);
      return [...db.prepare('SELECT name FROM t ORDER BY id').iterate()].map((r) => (r as { name: string }).name);
    });
    assert.deepEqual(names, ['a', 'b']);
    assert.deepEqual(starts().map(dbInfo), [
      { statement: 'INSERT INTO t (id, name) VALUES (?, ?)', params: [1, 'a'] },
      { statement: 'INSERT INTO t (id, name) VALUES (?, ?)', params: [2, 'b'] },
      { statement: 'SELECT name FROM t WHERE id = ?', params: [2] },
      { statement: 'SELECT * FROM t WHERE id > :min', params: { min: 0 } },
      { statement: 'SELECT name FROM t ORDER BY id', params: [] },
    ]);
    assert.equal(sent.length, 10);
    for (const start of starts()) assert.equal(start.parent_id, 'root');
    // every start has its stop, the iterate() one included
    const stops = sent.filter((n) => n.name === 'db-stop').map((n) => n.trace_id);
    assert.deepEqual(
      stops,
      starts().map((n) => n.trace_id),
    );
  });

  it('records exec() and a failing statement, whose error reaches the caller unchanged', () => {
    let thrown: unknown;
    inTrace(() => {
      db.exec("INSERT INTO t VALUES (7, 'x')");
      try {
        db.prepare('INSERT INTO t (id, name) VALUES (?, NULL)').run(8);
      } catch (error) {
        thrown = error;
      }
    });
    assert.ok(thrown instanceof Error && /NOT NULL/.test(thrown.message));
    assert.deepEqual(
      starts().map((n) => dbInfo(n).statement),
      ["INSERT INTO t VALUES (7, 'x')", 'INSERT INTO t (id, name) VALUES (?, NULL)'],
    );
    const failed = sent.at(-1)!;
    assert.equal(failed.name, 'db-stop');
    assert.match(String(failed.info.message), /NOT NULL/);
  });

  it('records nothing outside a trace', () => {
    db.prepare('SELECT 1').get();
    db.exec('SELECT 1');
    assert.equal(sent.length, 0);
  });
});
