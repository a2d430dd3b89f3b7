import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatPercent, labelOf } from '../../../../src/report/ui/format.js';

describe('report viewer formatting', () => {
  it('formats durations in the unit people read', () => {
    assert.equal(formatDuration(0), '0 ms');
    assert.equal(formatDuration(999), '999 ms');
    assert.equal(formatDuration(1234), '1.23 s');
    assert.equal(formatDuration(12_345), '12.3 s');
    assert.equal(formatDuration(185_000), '3 min 05 s');
    assert.equal(formatDuration(2 * 3_600_000 + 7 * 60_000), '2 h 07 min');
    assert.equal(formatDuration(5_184_000_000), '60 d 00 h');
    assert.equal(formatDuration(Number.NaN), '-');
  });

  it('formats percentages with one decimal and survives a zero total', () => {
    assert.equal(formatPercent(1, 3), '33.3%');
    assert.equal(formatPercent(5, 0), '0.0%');
  });

  it('labels values: strings as is, null as (none), others as JSON, never throwing', () => {
    assert.equal(labelOf('api'), 'api');
    assert.equal(labelOf(null), '(none)');
    assert.equal(labelOf(undefined), '(none)');
    assert.equal(labelOf({ a: 1 }), '{"a":1}');
    assert.equal(labelOf(10n), '10');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(labelOf(cyclic), '[object Object]');
  });
});
