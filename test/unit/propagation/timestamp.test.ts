import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { msBetween, parseTimestamp, parseTimestampParts } from '../../../src/propagation/timestamp.js';

// Expected values computed with CPython 3.11 datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f").
const ACCEPTED: [string, number, number][] = [
  ['2016-04-18T17:42:10.7', 1461001330, 700000],
  ['2016-04-18T17:42:10.77', 1461001330, 770000],
  ['2016-04-18T17:42:10.123456', 1461001330, 123456],
  ['2016-4-8T7:2:1.5', 1460098921, 500000],
  ['2016-04-18t17:42:11.5', 1461001331, 500000],
  ['2016-04- 8T07:02:01.5', 1460098921, 500000],
  ['٢٠١٦-04-18T17:42:11.5', 1461001331, 500000],
  ['0001-01-01T00:00:00.0', -62135596800, 0],
  ['0099-12-31T23:59:59.999999', -59011459201, 999999],
  ['9999-12-31T23:59:59.999999', 253402300799, 999999],
  ['2016-02-29T00:00:00.0', 1456704000, 0],
  ['2024-02-28T23:59:58.999500', 1709164798, 999500],
  ['1970-01-01T00:00:00.000001', 0, 1],
  ['1969-12-31T23:59:59.999999', -1, 999999],
];

const REJECTED = [
  '2016- 4-08T07:02:01.5', // the space pad is only for the day
  '2016-04-18T17:42:11.٥', // %f is ASCII-only
  '0000-01-01T00:00:00.0', // year 0 is out of range
  '2015-02-29T00:00:00.0',
  '2016-02-30T00:00:00.0',
  '2016-04-31T00:00:00.0',
  '2016-12-31T23:59:60.1', // second must be in 0..59
  '2016-12-31T23:59:61.1',
  '2016-04-18T24:00:00.0',
  '2016-04-18T23:60:00.0',
  '2016-04-18T17:42:11', // no fraction
  '2016-04-18T17:42:11.',
  '2016-04-18T17:42:11.1234567', // unconverted data remains: 7
  '2016-04-18T17:42:11.123456Z',
  '2016-04-18T17:42:11.123+00:00',
  '2016-04-18 17:42:11.123',
  '16-04-18T17:42:11.1',
  '02016-04-18T17:42:11.1',
  '2016-04-18T17:42:11.1 ',
  ' 2016-04-18T17:42:11.1',
  '2016-13-01T00:00:00.0',
  '2016-00-01T00:00:00.0',
  '2016-04-00T00:00:00.0',
  '2016-04-18T017:42:11.1',
  '2016-04-18T17:042:11.1',
  '',
];

describe('parseTimestampParts', () => {
  for (const [text, seconds, micros] of ACCEPTED) {
    it(`accepts ${JSON.stringify(text)} as Python does`, () => {
      assert.deepEqual(parseTimestampParts(text), { seconds, micros });
    });
  }
  for (const text of REJECTED) {
    it(`rejects ${JSON.stringify(text)} as Python does`, () => {
      assert.equal(parseTimestampParts(text), undefined);
    });
  }
  it('rejects values that are not strings', () => {
    for (const v of [undefined, null, 1461001330, new Date(0), ['2016-04-18T17:42:10.7']])
      assert.equal(parseTimestampParts(v), undefined);
  });
});

describe('parseTimestamp', () => {
  it('gives integer microseconds since the epoch', () => {
    assert.equal(parseTimestamp('2016-04-18T17:42:10.123456'), 1461001330123456);
    assert.equal(parseTimestamp('1969-12-31T23:59:59.999999'), -1);
    assert.equal(parseTimestamp('2016-04-18T17:42:11'), undefined);
  });
});

describe('msBetween', () => {
  const p = (s: string) => parseTimestampParts(s) as NonNullable<ReturnType<typeof parseTimestampParts>>;
  // Expected values from Python's int((us + (s + d*86400) * 1e6) / 1000.0).
  const CASES: [string, string, number][] = [
    ['2016-04-18T17:42:10.000900', '2016-04-18T17:42:10.001100', 0],
    ['2023-12-31T23:58:59.999000', '2024-03-01T00:00:01.0', 5184061001],
    ['1900-01-01T00:00:00.999999', '2100-01-01T00:00:00.999998', 6311433599999],
    ['0001-01-01T00:00:00.0', '9999-12-31T23:59:59.999999', 315537897600000],
    ['0001-01-01T00:00:00.000001', '9999-12-31T23:59:59.999998', 315537897600000],
    ['2016-04-18T17:42:10.5', '2016-04-18T17:42:10.4999', 0],
  ];
  for (const [a, b, ms] of CASES) {
    it(`reproduces Python's float arithmetic from ${a} to ${b}`, () => {
      assert.equal(msBetween(p(a), p(b)), ms);
    });
  }
  it('truncates toward zero and never returns -0', () => {
    assert.ok(Object.is(msBetween(p('2016-04-18T17:42:10.5'), p('2016-04-18T17:42:10.4999')), 0));
    assert.equal(msBetween(p('2016-04-18T17:42:10.5'), p('2016-04-18T17:42:10.4')), -100);
    assert.equal(msBetween(p('2016-04-18T17:42:10.0017'), p('2016-04-18T17:42:10.0033')), 1);
  });
});
