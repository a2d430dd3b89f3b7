import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { checkPlainJson, NOT_PLAIN, PLAIN_ASCII, PLAIN_ESCAPE } from '../../../src/report/plain-json.js';
import { renderJsonFast, renderJsonValue } from '../../../src/report/json.js';

describe('checkPlainJson', () => {
  it('takes plain ASCII data as JSON.stringify writes it', () => {
    const value = { a: ['x', 1, -2.5, 0.0001, true, null, undefined, {}], b: { c: '', d: Number.MAX_SAFE_INTEGER } };
    assert.equal(checkPlainJson(value), PLAIN_ASCII);
    assert.equal(checkPlainJson(Object.assign(Object.create(null) as object, { k: 'v' })), PLAIN_ASCII);
  });

  it('finds a character ensure_ascii escapes in any value or key, at any depth', () => {
    const long = 'x'.repeat(40);
    for (const text of [
      '\x7f',
      'é',
      '\u2028',
      '😀',
      '\ud800',
      long + 'ÿ',
      long + '\x7f',
      long + '\udfff',
      'x'.repeat(1000) + 'é',
    ]) {
      assert.equal(checkPlainJson({ a: text }), PLAIN_ESCAPE, JSON.stringify(text));
      assert.equal(checkPlainJson({ [text]: 1 }), PLAIN_ESCAPE, JSON.stringify(text));
      assert.equal(checkPlainJson([[{ a: ['x', text] }]]), PLAIN_ESCAPE, JSON.stringify(text));
    }
  });

  it('is not fooled by an ASCII text seen before with the same length and first character', () => {
    // both fall in the same slot of the seen-ASCII cache; the second must still be scanned
    assert.equal(checkPlainJson({ ab: 'ab', ac: 'aé' }), PLAIN_ESCAPE);
    assert.equal(checkPlainJson(['x'.repeat(40), 'x'.repeat(39) + 'é']), PLAIN_ESCAPE);
    assert.equal(checkPlainJson({ ab: 'ab' }), PLAIN_ASCII);
    assert.equal(checkPlainJson({ aé: 'ab' }), PLAIN_ESCAPE);
    // a text found to need escapes is not remembered as ASCII by the next check
    assert.equal(checkPlainJson({ a: 'é' }), PLAIN_ESCAPE);
    assert.equal(checkPlainJson({ a: 'é' }), PLAIN_ESCAPE);
  });

  it('rejects what JSON.stringify would write differently from Python', () => {
    class WithToJson {
      toJSON(): string {
        return 'é';
      }
    }
    const ownToJson = Object.defineProperty({ a: 1 }, 'toJSON', { value: () => 'x', enumerable: false });
    const arrayToJson = Object.assign([1], { toJSON: () => 'x' });
    class List extends Array<number> {}
    let deep: unknown = 'leaf';
    for (let i = 0; i < 600; i++) deep = [deep];
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const values: unknown[] = [
      { n: NaN },
      { n: Infinity },
      { n: -Infinity },
      { n: 1e-5 },
      { n: -1e-7 },
      { n: 2 ** 53 + 2 },
      { n: -(2 ** 60) },
      { n: 1e21 },
      { n: 1n },
      { d: new Date(0) },
      { s: new String('boxed') },
      { n: new Number(1) },
      { m: new Map([[1, 2]]) },
      { w: new WithToJson() },
      { o: ownToJson },
      { a: arrayToJson },
      { l: List.from([1]) },
      deep,
      cycle,
      'top-level scalar',
      null,
    ];
    const rawJson = (JSON as { rawJSON?: (text: string) => unknown }).rawJSON;
    if (rawJson !== undefined) values.push({ r: rawJson('1e-5') });
    for (const value of values) {
      assert.equal(checkPlainJson(value), NOT_PLAIN, renderJsonValue(value));
      assert.equal(renderJsonFast(value), renderJsonValue(value));
    }
  });

  it('keeps its finding when a getter renders JSON during the check', () => {
    const value = {
      a: 'é',
      get b(): string {
        renderJsonFast({ x: 'plain' });
        return 'z';
      },
    };
    assert.equal(checkPlainJson(value), PLAIN_ESCAPE);
    assert.equal(renderJsonFast(value), renderJsonValue(value));
  });
});
