import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { instrumentMysql2 } from '../../../../src/instrumentation/db/mysql2.js';
import { runWithProfiler } from '../../../../src/core/current.js';
import { currentProfiler } from '../../../../src/core/context.js';
import { Profiler } from '../../../../src/core/profiler.js';
import { setLogSink } from '../../../../src/log.js';
import { ConfigError } from '../../../../src/errors.js';
import { captureEachTest, inTrace } from '../../../helpers/capture.js';

const sent = captureEachTest();

type Cb = (err: Error | null, rows?: unknown) => void;
const queryChannel = diagnosticsChannel.tracingChannel('mysql2:query');

/**
 * Publishes as mysql2 >= 3.20's Connection.query does: the context carries the SQL with the
 * values inlined; callback mode uses traceCallback, event-emitter mode tracePromise.
 */
class FakeConnection {
  publishes = true;
  execute(): void {}
  query(sql: string, values?: unknown, cb?: Cb): unknown {
    if (typeof values === 'function') {
      cb = values as Cb;
      values = undefined;
    }
    const inlined = Array.isArray(values)
      ? values.reduce<string>((s, v) => s.replace('?', JSON.stringify(v)), sql)
      : sql;
    const context = { query: inlined, values, database: 'test', serverAddress: 'localhost', serverPort: 3306 };
    const answer = (done: Cb): void => {
      if (sql === 'THROW') throw new Error('thrown synchronously');
      const reply = (): void => (sql.startsWith('FAIL') ? done(new Error('failed')) : done(null, [{ one: 1 }]));
      if (sql === 'SYNC') reply();
      else setImmediate(reply);
    };
    if (!this.publishes || !queryChannel.hasSubscribers) return cb ? answer(cb) : undefined;
    if (cb) return queryChannel.traceCallback(answer, 0, context, null, cb);
    return queryChannel.tracePromise(
      () => new Promise((resolve, reject) => answer((e) => (e ? reject(e) : resolve(undefined)))),
      context,
    );
  }
}

const run = (conn: FakeConnection, sql: string, values?: unknown[]): Promise<unknown> =>
  new Promise((resolve) => conn.query(sql, values, (err) => resolve(err)));

describe('instrumentMysql2 channel handling (fake publisher)', () => {
  it('records only instrumented connections, with the SQL and values as the caller passed them', async () => {
    const traced = instrumentMysql2(new FakeConnection());
    const other = new FakeConnection();
    await inTrace(async () => {
      await run(traced, 'SELECT ? AS v', ['x']);
      await run(other, 'SELECT ? AS v', ['not me']);
    });
    assert.deepEqual(
      sent.map((n) => [n.name, n.info.db]),
      [
        ['db-start', { statement: 'SELECT ? AS v', params: ['x'] }],
        ['db-stop', undefined],
      ],
    );
  });

  it('stops once with the error when the callback gets one, and the caller gets it unchanged', async () => {
    const conn = instrumentMysql2(new FakeConnection());
    const error = await inTrace(() => run(conn, 'FAIL 1'));
    assert.equal((error as Error).message, 'failed');
    assert.deepEqual(
      sent.map((n) => [n.name, n.info.etype]),
      [
        ['db-start', undefined],
        ['db-stop', 'Error'],
      ],
    );
  });

  it('stops on error+end when the call throws synchronously (no async events follow)', () => {
    const conn = instrumentMysql2(new FakeConnection());
    assert.throws(() => inTrace(() => conn.query('THROW', [], () => undefined)), /thrown synchronously/);
    assert.deepEqual(
      sent.map((n) => [n.name, n.info.message]),
      [
        ['db-start', undefined],
        ['db-stop', 'thrown synchronously'],
      ],
    );
  });

  it('stops once when the callback runs synchronously, before end', () => {
    const conn = instrumentMysql2(new FakeConnection());
    let inCallback: unknown;
    const profiler = new Profiler('key', 'base', 'root');
    runWithProfiler(profiler, () => conn.query('SYNC', [], () => (inCallback = currentProfiler())));
    assert.equal(inCallback, profiler);
    assert.deepEqual(
      sent.map((n) => n.name),
      ['db-start', 'db-stop'],
    );
  });

  it('records event-emitter (tracePromise) mode until the statement ends', async () => {
    const conn = instrumentMysql2(new FakeConnection());
    await inTrace(async () => {
      await conn.query('SELECT 1');
      await (conn.query('FAIL 2') as Promise<unknown>).catch(() => undefined);
    });
    assert.deepEqual(
      sent.map((n) => [n.name, n.info.etype]),
      [
        ['db-start', undefined],
        ['db-stop', undefined],
        ['db-start', undefined],
        ['db-stop', 'Error'],
      ],
    );
  });

  it('records nothing outside a trace', async () => {
    const conn = instrumentMysql2(new FakeConnection());
    await run(conn, 'SELECT 1');
    assert.equal(sent.length, 0);
  });

  it('warns (rate-limited) when mysql2 publishes nothing, i.e. mysql2 is older than 3.20', async () => {
    const warnings: string[] = [];
    setLogSink((_level, message) => warnings.push(message));
    try {
      const old = new FakeConnection();
      old.publishes = false;
      instrumentMysql2(old);
      await inTrace(() => run(old, 'SELECT 1'));
    } finally {
      setLogSink(undefined);
    }
    assert.equal(sent.length, 0);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /mysql2 >= 3\.20/);
  });

  it('rejects something that is not a mysql2 object', () => {
    assert.throws(() => instrumentMysql2({ foo: 1 }), ConfigError);
  });
});
