// instrumentPg under knex: the pg clients knex's pool creates are instrumented in its pool.afterCreate hook.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import knexFactory, { type Knex } from 'knex';
import { instrumentPg, type PgClientLike } from '../../src/db.js';
import { setNotifier } from '../../src/notifier/notifier.js';
import { withTrace } from '../../src/core/trace.js';
import { captureNotifications, dbInfo, inTrace } from '../helpers/capture.js';
import { requireService, tcpProbe } from '../helpers/services.js';

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };

const { skip } = await requireService('PostgreSQL on 127.0.0.1:5432', tcpProbe(PG.host, PG.port));

const { sent, listen, starts, stopOf } = captureNotifications();

describe('instrumentPg under knex (pg client)', { skip }, () => {
  let knex: Knex;

  before(async () => {
    knex = knexFactory({
      client: 'pg',
      connection: PG,
      pool: {
        min: 0,
        max: 2,
        // the documented one-line setup: every connection knex opens is instrumented once
        afterCreate(connection: PgClientLike, done: (err: Error | null, connection: PgClientLike) => void) {
          instrumentPg(connection);
          done(null, connection);
        },
      },
    });
    await knex.schema.dropTableIfExists('osp_knex_items');
    await knex.schema.createTable('osp_knex_items', (t) => {
      t.integer('id').primary();
      t.string('name').notNullable();
    });
  });
  after(async () => {
    setNotifier(undefined);
    await knex.schema.dropTableIfExists('osp_knex_items');
    await knex.destroy();
  });
  beforeEach(listen);

  it('records the SQL knex generates, with its bindings as params', async () => {
    await inTrace(async () => {
      await knex('osp_knex_items').insert({ id: 1, name: 'a' });
      const rows = await knex('osp_knex_items').where({ id: 1 }).select('name');
      assert.deepEqual(rows, [{ name: 'a' }]);
    });
    assert.deepEqual(starts().map(dbInfo), [
      { statement: 'insert into "osp_knex_items" ("id", "name") values ($1, $2)', params: [1, 'a'] },
      { statement: 'select "name" from "osp_knex_items" where "id" = $1', params: [1] },
    ]);
    assert.ok(starts().every((n) => n.parent_id === 'root' && stopOf(n) !== undefined));
  });

  it('records a transaction: BEGIN, its statements and ROLLBACK, and the error reaches the caller', async () => {
    const failure = new Error('abort the transaction');
    await assert.rejects(
      inTrace(() =>
        knex.transaction(async (trx) => {
          await trx('osp_knex_items').insert({ id: 2, name: 'b' });
          throw failure;
        }),
      ),
      (error: unknown) => error === failure,
    );
    assert.deepEqual(
      starts().map((n) => dbInfo(n).statement),
      ['BEGIN;', 'insert into "osp_knex_items" ("id", "name") values ($1, $2)', 'ROLLBACK'],
    );
  });

  it('records a failing statement as an error stop', async () => {
    // a knex builder is a lazy thenable: the statement runs where it is awaited
    await assert.rejects(inTrace(async () => await knex.raw('select * from osp_knex_missing where id = ?', [3])));
    const stop = stopOf(starts()[0]!)!;
    assert.equal(stop.info.etype, 'DatabaseError');
    assert.deepEqual(dbInfo(starts()[0]!), { statement: 'select * from osp_knex_missing where id = $1', params: [3] });
  });

  it('parents parallel knex queries in one trace to their own callers', async () => {
    await inTrace(() =>
      Promise.all(
        [0, 1, 2, 3].map((i) =>
          withTrace('task', { i }, async () => await knex.raw('select ?::int as i, pg_sleep(0.01)', [i])),
        ),
      ),
    );
    for (const task of sent.filter((n) => n.name === 'task-start')) {
      const db = starts().find((n) => n.parent_id === task.trace_id);
      assert.deepEqual(db && dbInfo(db).params, [task.info.i]);
    }
    assert.equal(starts().length, 4);
  });

  it('records nothing outside a trace', async () => {
    await knex('osp_knex_items').select('*');
    assert.equal(sent.length, 0);
  });
});
