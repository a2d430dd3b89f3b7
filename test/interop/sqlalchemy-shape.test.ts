// db spans must have the shape Python's osprofiler.sqlalchemy writes (payloads.json `sqlalchemy`), replayed with better-sqlite3.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadSqlite } from '../../src/drivers/sqlite/library.js';
import type BetterSqlite3 from 'better-sqlite3';
import { loadFixture } from '../helpers/fixtures.js';
import { replay } from '../helpers/fixture-world.js';
import { instrumentSqlite } from '../../src/instrumentation/db/sqlite.js';
import type { DbTraceOptions } from '../../src/db.js';
import { runWithProfiler } from '../../src/core/current.js';
import { Profiler } from '../../src/core/profiler.js';
import type { Notification } from '../../src/core/payload.js';

const Database = loadSqlite();

interface Case {
  why: string;
  init: { hmac_key: string; base_id: string; parent_id: string };
  ids_generated: string[];
  clock_reads: string[];
  notifications: Notification[];
}
const cases = loadFixture<{ sqlalchemy: Case[] }>('payloads.json').sqlalchemy;

function find(fragment: string): Case {
  const found = cases.find((c) => c.why.includes(fragment));
  assert.ok(found, `payloads.json has a sqlalchemy case about "${fragment}"`);
  return found;
}

/** Runs `fn` against a fresh instrumented in-memory database in the case's frozen world and trace. */
function replayWithDb(
  c: Case,
  fn: (db: BetterSqlite3.Database) => void,
  options?: DbTraceOptions,
): Promise<Notification[]> {
  const db = new Database(':memory:');
  instrumentSqlite(db, options);
  return replay(c, () =>
    runWithProfiler(new Profiler(c.init.hmac_key, c.init.base_id, c.init.parent_id), () => fn(db)),
  ).finally(() => db.close());
}

const dbOf = (n: Notification) => n.info.db as Record<string, unknown>;

describe('payloads.json sqlalchemy: db span shape replayed with better-sqlite3', () => {
  it('a SELECT with bound params gives exactly the Python notifications', async () => {
    const c = find('SELECT with bound params');
    const sent = await replayWithDb(c, (db) => db.prepare('SELECT ? + ? AS total').get(1, 2));
    assert.deepEqual(sent, c.notifications);
  });

  it('wrap_session: a one-parameter SELECT gives exactly the Python notifications', async () => {
    const c = find('wrap_session');
    const sent = await replayWithDb(c, (db) => db.prepare('SELECT ?').get('hello'));
    assert.deepEqual(sent, c.notifications);
  });

  it('DDL without params gives params [] exactly; executemany rows become one statement per row', async () => {
    const c = find('DDL without params');
    const [createStart, createStop, insertStart] = c.notifications;
    const rows = dbOf(insertStart!).params as Array<[number, string]>;
    const sent = await replayWithDb(
      { ...c, ids_generated: [...c.ids_generated, 'extra-id'], clock_reads: [...c.clock_reads, 'extra-1', 'extra-2'] },
      (db) => {
        db.exec('CREATE TABLE t (id INTEGER, name TEXT)');
        // port_note: better-sqlite3 has no executemany; each row runs (and is traced) on its own
        const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
        for (const row of rows) insert.run(row);
      },
    );
    assert.deepEqual(sent.slice(0, 2), [createStart, createStop]);
    const inserts = sent.filter((n) => n.name === 'db-start').slice(1);
    assert.deepEqual(
      inserts.map((n) => dbOf(n)),
      rows.map((row) => ({ statement: dbOf(insertStart!).statement, params: row })),
    );
  });

  it('a failing statement stops with etype, message and db.{original_exception, chained_exception}', async () => {
    const c = find('failing statement');
    const expectedStop = c.notifications[1]!;
    let raised: unknown;
    const sent = await replayWithDb(c, (db) => {
      try {
        db.prepare(String(dbOf(c.notifications[0]!).statement)).all(7);
      } catch (error) {
        raised = error;
      }
    });
    assert.ok(raised instanceof Database.SqliteError, 'the error still reaches the caller');
    assert.equal(sent.length, 2);
    const [start, stop] = sent;
    assert.equal(dbOf(start!).statement, dbOf(c.notifications[0]!).statement);
    // port_note: SQLite compiles at prepare(), before any value is bound, so params is []
    assert.deepEqual(dbOf(start!).params, []);
    assert.deepEqual(Object.keys(stop!.info), Object.keys(expectedStop.info));
    assert.deepEqual(Object.keys(dbOf(stop!)), Object.keys(dbOf(expectedStop)));
    // same message text as Python's sqlite3; etype is the JS class name, chained_exception is
    // upstream head's "" (3.4.3 wrote the string "None")
    assert.equal(stop!.info.message, expectedStop.info.message);
    assert.equal(dbOf(stop!).original_exception, dbOf(expectedStop).original_exception);
    assert.equal(stop!.info.etype, 'SqliteError');
    assert.equal(dbOf(stop!).chained_exception, '');
    assert.deepEqual(
      [stop!.trace_id, stop!.parent_id, stop!.timestamp],
      [expectedStop.trace_id, expectedStop.parent_id, expectedStop.timestamp],
    );
  });

  it('hideResult false does not break the query as Python 3.4.3 does: the stop carries db.result', async () => {
    const c = find('hide_result=False');
    let value: unknown;
    const sent = await replayWithDb(c, (db) => (value = db.prepare('SELECT 1').get()), { hideResult: false });
    assert.deepEqual(value, { 1: 1 }, 'the query succeeds (Python raised AttributeError here)');
    assert.deepEqual(sent[0], c.notifications[0]);
    assert.deepEqual(Object.keys(sent[1]!.info), ['db', 'host']);
    assert.deepEqual(sent[1]!.info.db, { result: "{ '1': 1 }" });
  });

  it('disabled tracing records nothing (osprofiler.sqlalchemy.disable)', async () => {
    const c = find('disable()');
    const sent = await replayWithDb(c, (db) => db.prepare('SELECT 1').get(), { enabled: () => false });
    assert.deepEqual(sent, c.notifications);
  });
});
