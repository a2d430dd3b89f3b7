import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_PARAMS,
  MAX_STATEMENT_CHARS,
  capText,
  dbErrorInfo,
  dbResultInfo,
  dbStartInfo,
  paramsValue,
  statementText,
} from '../../../../src/instrumentation/db/statement.js';

describe('db statement info', () => {
  it('keeps a statement as written and caps a long one with a marker', () => {
    assert.equal(statementText('SELECT ?'), 'SELECT ?');
    const long = 'x'.repeat(MAX_STATEMENT_CHARS + 10);
    assert.equal(statementText(long), `${'x'.repeat(MAX_STATEMENT_CHARS)}…[10 more chars]`);
    assert.equal(statementText(undefined), '');
    assert.equal(capText('abc', 2), 'ab…[1 more chars]');
  });

  it('gives params the DB-API shapes: [] when none, a list, a list of lists, an object for named', () => {
    assert.deepEqual(paramsValue(undefined), []);
    assert.deepEqual(paramsValue(null), []);
    assert.deepEqual(paramsValue([1, 'a', null, true]), [1, 'a', null, true]);
    assert.deepEqual(
      paramsValue([
        [1, 'a'],
        [2, 'b'],
      ]),
      [
        [1, 'a'],
        [2, 'b'],
      ],
    );
    assert.deepEqual(paramsValue({ id: 7, name: 'n' }), { id: 7, name: 'n' });
    assert.deepEqual(paramsValue(5), [5]);
  });

  it('makes every value JSON-safe: bigint, dates, binary, non-finite numbers, undefined, class instances', () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
    }
    const params = paramsValue([
      10n,
      new Date('2024-01-02T03:04:05.000Z'),
      new Uint8Array(3),
      Number.NaN,
      Number.POSITIVE_INFINITY,
      undefined,
      new Point(1, 2),
      Symbol('s'),
    ]) as unknown[];
    assert.deepEqual(params.slice(0, 6), ['10', '2024-01-02T03:04:05.000Z', '<3 bytes>', 'NaN', 'Infinity', null]);
    assert.equal(params[6], 'Point { x: 1, y: 2 }');
    assert.equal(params[7], 'Symbol(s)');
    assert.doesNotThrow(() => JSON.stringify(params));
  });

  it('bounds the number of params, string length and nesting depth', () => {
    const many = paramsValue(Array.from({ length: MAX_PARAMS + 5 }, (_, i) => i)) as unknown[];
    assert.equal(many.length, MAX_PARAMS + 1);
    assert.equal(many[MAX_PARAMS], '…[5 more params]');
    const deep = paramsValue([[[[['bottom']]]]]) as unknown[];
    assert.equal(typeof (deep[0] as unknown[][])[0]![0], 'string', 'nesting past the limit is rendered as text');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    assert.doesNotThrow(() => JSON.stringify(paramsValue([cyclic])));
  });

  it('never throws, whatever the params', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    assert.doesNotThrow(() => paramsValue(hostile));
    assert.doesNotThrow(() => paramsValue([hostile]));
  });

  it('builds start info with or without params', () => {
    assert.deepEqual(dbStartInfo('SELECT ?', [1], false), { db: { statement: 'SELECT ?', params: [1] } });
    assert.deepEqual(dbStartInfo('SELECT ?', [1], true), { db: { statement: 'SELECT ?' } });
  });

  it('renders results as bounded text', () => {
    assert.deepEqual(dbResultInfo([{ a: 1 }]), { db: { result: '[ { a: 1 } ]' } });
  });

  it('builds error stop info as the SQLAlchemy handler does, with the cause as chained_exception', () => {
    class OperationalError extends Error {}
    assert.deepEqual(dbErrorInfo(new OperationalError('no such table: x')), {
      etype: 'OperationalError',
      message: 'no such table: x',
      db: { original_exception: 'no such table: x', chained_exception: '' },
    });
    const chained = new Error('outer', { cause: new Error('socket closed') });
    assert.equal((dbErrorInfo(chained).db as Record<string, unknown>).chained_exception, 'socket closed');
    const textCause = new Error('outer', { cause: 'timeout' });
    assert.equal((dbErrorInfo(textCause).db as Record<string, unknown>).chained_exception, 'timeout');
    assert.deepEqual(dbErrorInfo('plain string'), {
      etype: 'string',
      message: 'plain string',
      db: { original_exception: 'plain string', chained_exception: '' },
    });
  });
});
