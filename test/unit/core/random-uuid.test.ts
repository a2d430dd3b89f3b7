// randomUuid4 makes version-4 uuids in crypto.randomUUID's format, never repeating.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUuid4 } from '../../../src/core/random-uuid.js';
import { uuid4 } from '../../../src/core/ids.js';

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('randomUuid4', () => {
  it('makes lower-case hyphenated version-4 uuids with the RFC 4122 variant, across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1_000; i++) {
      const id = randomUuid4();
      assert.match(id, UUID4);
      seen.add(id);
    }
    assert.equal(seen.size, 1_000);
  });

  it('uses every hex digit in every free position and all four variants', () => {
    const digits = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2_000; i++) [...randomUuid4()].forEach((ch, at) => digits[at]!.add(ch));
    digits.forEach((set, at) => {
      if ([8, 13, 18, 23].includes(at)) assert.deepEqual([...set], ['-']);
      else if (at === 14) assert.deepEqual([...set], ['4']);
      else if (at === 19) assert.deepEqual([...set].sort(), ['8', '9', 'a', 'b']);
      else assert.equal(set.size, 16, `position ${at}`);
    });
  });

  it('is the default generator of span ids', () => {
    assert.match(uuid4(), UUID4);
  });
});
