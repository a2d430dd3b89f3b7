import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatTimestamp, nowUs, utcTimestamp } from '../../../src/propagation/timestamp.js';

describe('clock', () => {
  it('formats microseconds as Python strftime %Y-%m-%dT%H:%M:%S.%f', () => {
    assert.equal(formatTimestamp(Date.UTC(2024, 0, 2, 3, 4, 5) * 1000 + 123456), '2024-01-02T03:04:05.123456');
    assert.equal(formatTimestamp(Date.UTC(2024, 0, 2, 3, 4, 5) * 1000), '2024-01-02T03:04:05.000000');
    assert.equal(formatTimestamp(Date.UTC(2024, 1, 29, 23, 59, 59) * 1000 + 7), '2024-02-29T23:59:59.000007');
    assert.equal(formatTimestamp(Date.UTC(1999, 11, 31) * 1000 + 999999), '1999-12-31T00:00:00.999999');
  });

  it('matches Date’s ISO text plus three more digits for any order of instants (cached parts never leak)', () => {
    const base = Date.UTC(2026, 11, 31, 23, 59, 59) * 1000;
    const instants = [0, 1, 999, 1000, 1001, 999_999, 1_000_000, 1_000_999, 5, 999_000, -1, -1000, -1_000_000];
    for (let i = 0; i < 5000; i++) instants.push(Math.floor(Math.random() * 4_000_000) - 2_000_000);
    for (const offset of instants) {
      const us = base + offset;
      const ms = Math.floor(us / 1000);
      const expected = new Date(ms).toISOString().slice(0, 23) + String(us - ms * 1000).padStart(3, '0');
      assert.equal(formatTimestamp(us), expected, `at ${us}`);
    }
  });

  it('has real microsecond resolution, not milliseconds padded with zeros', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(utcTimestamp().slice(-3));
    assert.ok(seen.size > 10, `last three digits vary (${seen.size} distinct)`);
  });

  it('follows the wall clock and never goes backwards', () => {
    assert.ok(Math.abs(nowUs() / 1000 - Date.now()) < 1000);
    let last = nowUs();
    for (let i = 0; i < 10000; i++) {
      const next = nowUs();
      assert.ok(next >= last);
      last = next;
    }
  });
});
