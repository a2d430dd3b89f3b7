import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { instrumentPg } from '../../../../src/instrumentation/db/pg.js';
import { currentProfiler } from '../../../../src/core/context.js';
import { runWithProfiler } from '../../../../src/core/current.js';
import { Profiler } from '../../../../src/core/profiler.js';
import { ConfigError } from '../../../../src/errors.js';
import { captureEachTest, inTrace } from '../../../helpers/capture.js';

const sent = captureEachTest();

type Cb = (err: Error | null, res?: unknown) => void;
interface Submittable {
  submit(): void;
  handleError(err: Error): void;
  handleReadyForQuery(): void;
}

/** Reads its arguments the way pg's Client.query does, answering on the next turn. */
class FakeClient {
  calls: unknown[][] = [];
  query(config: unknown, values?: unknown, callback?: unknown): unknown {
    this.calls.push([config, values, callback]);
    if (config === null || config === undefined) throw new TypeError('Client was passed a null or undefined query');
    const c = config as { text?: string; callback?: Cb } & Partial<Submittable>;
    if (typeof c.submit === 'function') {
      const s = c as Submittable & { text: string };
      setImmediate(() => (s.text.startsWith('FAIL') ? s.handleError(new Error('failed')) : s.handleReadyForQuery()));
      return config;
    }
    const text = typeof config === 'string' ? config : (c.text ?? '');
    if (text === 'THROW') throw new TypeError('callback is not a function');
    const cb = (typeof callback === 'function' ? callback : typeof values === 'function' ? values : c.callback) as
      Cb | undefined;
    const error = text.startsWith('FAIL') ? new Error('failed') : null;
    const result = { rows: [{ a: 1 }], command: 'SELECT', rowCount: 1 };
    if (cb !== undefined) {
      setImmediate(() => (error ? cb(error) : cb(null, result)));
      return undefined;
    }
    return error ? Promise.reject(error) : Promise.resolve(result);
  }
}

describe('instrumentPg argument handling (fake client)', () => {
  it('reads statement and params from text + values and from a config object', async () => {
    const client = instrumentPg(new FakeClient());
    await inTrace(async () => {
      await client.query('SELECT $1', [1]);
      await client.query({ text: 'SELECT $1', values: ['cfg'] });
      await client.query({ text: 'SELECT $1', values: ['ignored'] }, ['values win']);
      await client.query({ name: 'prepared', values: [2] });
    });
    assert.deepEqual(
      sent.filter((n) => n.name === 'db-start').map((n) => n.info.db),
      [
        { statement: 'SELECT $1', params: [1] },
        { statement: 'SELECT $1', params: ['cfg'] },
        { statement: 'SELECT $1', params: ['values win'] },
        { statement: 'EXECUTE prepared', params: [2] },
      ],
    );
  });

  it('wraps a callback given as values, as the third argument, or in the config object', async () => {
    const client = instrumentPg(new FakeClient());
    const results: unknown[] = [];
    await inTrace(async () => {
      await new Promise<void>((resolve) => client.query('SELECT 1', ((_e, r) => (results.push(r), resolve())) as Cb));
      await new Promise<void>((resolve) =>
        client.query('SELECT 2', [], ((_e, r) => (results.push(r), resolve())) as Cb),
      );
      await new Promise<void>((resolve) =>
        client.query({ text: 'SELECT 3', callback: ((_e: unknown, r: unknown) => (results.push(r), resolve())) as Cb }),
      );
    });
    assert.equal(results.length, 3);
    assert.equal(typeof client.calls[2]![2], 'function', 'a config callback is passed as the third argument');
    assert.deepEqual(
      sent.map((n) => n.name),
      ['db-start', 'db-stop', 'db-start', 'db-stop', 'db-start', 'db-stop'],
    );
  });

  it('fails the span on a synchronous throw and rethrows; a null query passes through untraced', () => {
    const client = instrumentPg(new FakeClient());
    assert.throws(() => inTrace(() => client.query('THROW')), TypeError);
    assert.throws(() => inTrace(() => client.query(null)), TypeError);
    assert.deepEqual(
      sent.map((n) => [n.name, n.info.etype]),
      [
        ['db-start', undefined],
        ['db-stop', 'TypeError'],
      ],
    );
  });

  it('stops a submittable on handleReadyForQuery or handleError', async () => {
    const client = instrumentPg(new FakeClient());
    const submittable = (text: string) => {
      const s = new EventEmitter() as EventEmitter & Submittable & { text: string; values: unknown[] };
      s.text = text;
      s.values = ['v'];
      s.submit = () => undefined;
      s.handleError = (err) => void s.emit('failed', err);
      s.handleReadyForQuery = () => void s.emit('done');
      return s;
    };
    await inTrace(async () => {
      const ok = submittable('SELECT 1');
      assert.equal(client.query(ok), ok, 'the submittable is returned');
      await new Promise((resolve) => ok.once('done', resolve));
      const bad = submittable('FAIL 2');
      client.query(bad);
      await new Promise((resolve) => bad.once('failed', resolve));
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
    assert.deepEqual((sent[0]!.info.db as Record<string, unknown>).params, ['v']);
  });

  it('rejects something that is not a pg client or pool', () => {
    assert.throws(() => instrumentPg({} as unknown as FakeClient), ConfigError);
    assert.throws(() => instrumentPg(null as unknown as FakeClient), ConfigError);
  });

  it('wraps once: a second call leaves query() as it is', () => {
    const client = instrumentPg(new FakeClient());
    const first = client.query;
    instrumentPg(client);
    assert.equal(client.query, first);
  });
});

class FakePool extends EventEmitter {
  _clients: FakeClient[] = [new FakeClient()];
  waiting: Array<(err: Error | null, client?: FakeClient) => void> = [];
  get totalCount(): number {
    return this._clients.length;
  }
  connect(cb?: (err: Error | null, client?: FakeClient) => void): unknown {
    if (cb === undefined) return Promise.resolve(this._clients[0]);
    this.waiting.push(cb);
    return undefined;
  }
  query(): unknown {
    return undefined;
  }
  /** Hands the waiting callbacks a client from "another request's" context. */
  release(): void {
    for (const cb of this.waiting.splice(0)) cb(null, this._clients[0]);
  }
}

describe('instrumentPg on a pool (fake pool)', () => {
  it('instruments the clients it has and the ones it connects later, not pool.query itself', () => {
    const pool = new FakePool();
    const poolQuery = pool.query;
    instrumentPg(pool);
    assert.equal(pool.query, poolQuery);
    assert.notEqual(pool._clients[0]!.query, FakeClient.prototype.query);
    const later = new FakeClient();
    pool.emit('connect', later);
    assert.notEqual(later.query, FakeClient.prototype.query);
  });

  it('calls connect() callbacks in the context of the code that asked for a client', () => {
    const pool = instrumentPg(new FakePool());
    const caller = new Profiler('key', 'caller', 'root');
    let seen: unknown = 'not called';
    runWithProfiler(caller, () => pool.connect(() => (seen = currentProfiler())));
    runWithProfiler(new Profiler('key', 'other', 'root'), () => pool.release());
    assert.equal(seen, caller);
    let untraced: unknown = 'not called';
    pool.connect(() => (untraced = currentProfiler()));
    runWithProfiler(new Profiler('key', 'other', 'root'), () => pool.release());
    assert.equal(untraced, undefined, 'a caller outside any trace gets no trace context');
  });
});
