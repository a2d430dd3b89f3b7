// The SQLite writer's batch encoding: every row it hands the writer is the row Python's SQL
// driver layout gives (notificationToRow), whatever the notification holds.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { notificationToRow, rowValues, SQL_INSERT_COLUMNS } from '../../../../src/drivers/sql/layout.js';
import {
  BatchEncoder,
  forEachInsert,
  ROW_COLUMNS,
  ROWS_PER_INSERT,
  type EncodedBatch,
} from '../../../../src/drivers/sqlite/encoded-batch.js';
import { Profiler } from '../../../../src/core/profiler.js';
import { setNotifier } from '../../../../src/notifier/notifier.js';
import type { Notification } from '../../../../src/core/payload.js';

const defaults = { project: 'proj', host: 'box', service: 'svc' };

/** The batch's rows, each as SQL_INSERT_COLUMNS values, after a structured clone (as the writer gets it). */
function decode(batch: EncodedBatch): unknown[][] {
  const copy = structuredClone(batch);
  const rows: unknown[][] = [];
  forEachInsert(
    copy,
    (n) => new Array<unknown>(n),
    ({ rows: count, constants, values, named }) => {
      let v = 0;
      for (let r = 0; r < count; r++) {
        const row = new Map<string, unknown>();
        ROW_COLUMNS.forEach((c, i) => row.set(c, (constants & (1 << i)) !== 0 ? named[c] : values[v++]));
        rows.push(SQL_INSERT_COLUMNS.map((c) => row.get(c)));
      }
      assert.equal(v, values.length, 'every value of the INSERT is used');
    },
  );
  return rows;
}

function encodeAll(payloads: readonly Notification[]): { rows: unknown[][]; failed: number } {
  const encoder = new BatchEncoder(defaults);
  let failed = 0;
  for (const p of payloads) {
    try {
      encoder.add(p);
    } catch {
      failed++;
    }
  }
  const batch = encoder.take();
  return { rows: batch === undefined ? [] : decode(batch), failed };
}

function base(extra: Record<string, unknown> = {}): Notification {
  return {
    name: 'x-start',
    base_id: 'b',
    trace_id: 't',
    parent_id: 'p',
    timestamp: '2024-01-01T00:00:00.000001',
    info: { host: 'h' },
    ...extra,
  };
}

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}

function odd(): Notification[] {
  const circular: Record<string, unknown> = { a: 1 };
  circular.self = circular;
  let deep: unknown = 'bottom';
  for (let i = 0; i < 70; i++) deep = { d: deep };
  const polluted = Object.create({ inherited: 'yes' }) as Record<string, unknown>;
  polluted.own = 1;
  const withProto = JSON.parse('{"__proto__": {"x": 1}, "k": 2}') as Record<string, unknown>;
  const nullProto = Object.assign(Object.create(null) as object, { a: 'b' });
  return [
    base(),
    base({ info: { db: { statement: 'SELECT "a", \'b\' FROM t WHERE x = ?\n', params: [1, 2.5, -0, null] } } }),
    base({ info: { text: 'héllo wörld ☃ 😀 \u0000 \u001f \u007f \\ / "q"', 'k"ey\\': 'v', ключ: 1 } }),
    base({ info: { n: [NaN, Infinity, -Infinity, 1e21, 1e-7, 0.1 + 0.2, 2 ** 53, -(2 ** 60), 5e-324] } }),
    base({
      info: { u: undefined, f: () => 1, s: Symbol('s'), arr: [undefined, () => 1, Symbol('x')], b: [true, false] },
    }),
    base({ info: { date: new Date(0), point: new Point(1, 2), big: 10n ** 30n } }),
    base({ info: { toJ: { toJSON: () => 'replaced' }, boxed: [new String('s'), new Number(3), new Boolean(false)] } }),
    base({ info: { empty: {}, emptyArr: [], nested: [[[]], [{}]], sparse: new Array<number>(3).fill(1, 0, 1) } }),
    base({ info: deep as Record<string, unknown> }),
    base({ info: polluted }),
    base({ info: withProto }),
    base({ info: nullProto as Record<string, unknown> }),
    base({ info: circular }),
    base({ project: 'own-project' }),
    base({ host: null, service: undefined }),
    base({ extra: 'left in data', another: { k: 1 } }),
    { name: 'partial' } as unknown as Notification,
    base({ name: 42, timestamp: 1.5, trace_id: 10n, parent_id: null }),
    base({ name: 'ünïcode-start', base_id: 'b\u2028', trace_id: '' }),
  ];
}

describe('SQLite batch encoding', () => {
  it("gives the rows of Python's SQL layout for plain, unusual and unencodable notifications", () => {
    const payloads = odd();
    const { rows, failed } = encodeAll(payloads);
    const expected: unknown[][] = [];
    let expectedFailed = 0;
    for (const p of payloads) {
      try {
        expected.push(rowValues(notificationToRow(p, defaults)));
      } catch {
        expectedFailed++;
      }
    }
    assert.equal(failed, expectedFailed, 'the same notifications fail (circular info)');
    assert.equal(failed, 1);
    assert.deepEqual(rows, expected);
  });

  it("gives the same rows for a profiler's spans, with and without info, across INSERT boundaries", () => {
    const captured: Notification[] = [];
    setNotifier((n) => captured.push(n));
    try {
      const profiler = new Profiler('key');
      for (let i = 0; i < ROWS_PER_INSERT * 2 + 7; i++) {
        profiler.start('db', i % 3 === 0 ? undefined : { db: { statement: 'SELECT ?', params: [i] } });
        profiler.stop(i % 5 === 0 ? { rows: i } : undefined);
      }
    } finally {
      setNotifier(undefined);
    }
    // a row with its own project in the middle switches the INSERT's form and back
    captured.splice(100, 0, base({ project: 'other' }));
    assert.ok(captured.length > ROWS_PER_INSERT * 2);
    const { rows } = encodeAll(captured);
    assert.deepEqual(
      rows,
      captured.map((p) => rowValues(notificationToRow(p, defaults))),
    );
  });

  it('a very large batch and the small one after it both give their rows', () => {
    const encoder = new BatchEncoder(defaults);
    const big = Array.from({ length: 6000 }, (_, i) =>
      base({ trace_id: `t${i}`, info: { db: { statement: 'SELECT ?', params: [i, `p${i}`] }, host: 'h' } }),
    );
    for (const p of big) encoder.add(p);
    const first = decode(encoder.take()!);
    const small = [base({ name: 'after' })];
    encoder.add(small[0]!);
    const second = decode(encoder.take()!);
    assert.deepEqual(
      first,
      big.map((p) => rowValues(notificationToRow(p, defaults))),
    );
    assert.deepEqual(
      second,
      small.map((p) => rowValues(notificationToRow(p, defaults))),
    );
  });

  it('splits a batch into INSERTs of at most ROWS_PER_INSERT rows, binding once the columns all their rows share', () => {
    const encoder = new BatchEncoder(defaults);
    for (let i = 0; i < ROWS_PER_INSERT + 3; i++) encoder.add(base({ trace_id: `t${i}` }));
    encoder.add(base({ service: 'own', trace_id: 'x' }));
    const batch = encoder.take()!;
    assert.deepEqual(batch.inserts, [ROWS_PER_INSERT, 4]);
    const bits = (...columns: string[]): number =>
      columns.reduce((b, c) => b | (1 << ROW_COLUMNS.indexOf(c as (typeof ROW_COLUMNS)[number])), 0);
    const shared = bits('timestamp', 'base_id', 'parent_id', 'project', 'host', 'name');
    assert.deepEqual(batch.constants, [shared | bits('service'), shared]);
    assert.equal(encoder.take(), undefined, 'taking empties the encoder');
  });
});
