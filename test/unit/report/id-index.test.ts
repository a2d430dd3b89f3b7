import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { IdIndex } from '../../../src/report/id-index.js';

describe('IdIndex', () => {
  it('finds every id it was given among 100,000, and nothing else', () => {
    const index = new IdIndex();
    const ids = Array.from({ length: 100_000 }, (_, i) => `${i.toString(36)}-${(i * 7919).toString(16)}`);
    ids.forEach((id, i) => assert.equal(index.getOrAdd(id, i), -1));
    ids.forEach((id, i) => assert.equal(index.get(id), i));
    // a second getOrAdd keeps the first value
    assert.equal(index.getOrAdd(ids[42]!, 7), 42);
    assert.equal(index.get('not-there'), -1);
    assert.equal(index.get(`${ids[5]} `), -1);
  });

  it('keys as a Map does: strings and other values apart, NaN and -0 by SameValueZero', () => {
    const index = new IdIndex();
    const object = {};
    assert.equal(index.getOrAdd('1', 0), -1);
    assert.equal(index.getOrAdd(1, 1), -1);
    assert.equal(index.getOrAdd(null, 2), -1);
    assert.equal(index.getOrAdd(NaN, 3), -1);
    assert.equal(index.getOrAdd(0, 4), -1);
    assert.equal(index.getOrAdd(object, 5), -1);
    assert.equal(index.getOrAdd('', 6), -1);
    assert.deepEqual(
      ['1', 1, null, NaN, -0, object, '', undefined, {}].map((key) => index.get(key)),
      [0, 1, 2, 3, 4, 5, 6, -1, -1],
    );
  });
});
