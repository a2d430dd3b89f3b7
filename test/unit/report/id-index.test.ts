import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { IdIndex } from '../../../src/report/id-index.js';

describe('IdIndex', () => {
  it('numbers 100,000 ids in first-seen order and finds each again, and nothing else', () => {
    const index = new IdIndex();
    const ids = Array.from({ length: 100_000 }, (_, i) => `${i.toString(36)}-${(i * 7919).toString(16)}`);
    ids.forEach((id) => assert.equal(index.getOrAdd(id), -1));
    assert.equal(index.size, ids.length);
    ids.forEach((id, i) => assert.equal(index.get(id), i));
    ids.forEach((id, i) => assert.equal(index.getOrAdd(id), i));
    assert.equal(index.size, ids.length);
    assert.equal(index.get('not-there'), -1);
    assert.equal(index.get(`${ids[5]} `), -1);
  });

  it('keys as a Map does: strings and other values apart, NaN and -0 by SameValueZero', () => {
    const index = new IdIndex();
    const object = {};
    for (const id of ['1', 1, null, NaN, 0, object, '']) assert.equal(index.getOrAdd(id), -1);
    assert.deepEqual(
      ['1', 1, null, NaN, -0, object, '', undefined, {}].map((id) => index.get(id)),
      [0, 1, 2, 3, 4, 5, 6, -1, -1],
    );
  });
});
