// Made-up notifications told apart only by a number, for the queue and notifier tests that count and order them.
import type { Notification } from '../../src/core/payload.js';

/** `n<i>-start` in trace `t<i>` of base `b`, all at the same timestamp. */
export const numberedNote = (i: number): Notification => ({
  name: `n${i}-start`,
  base_id: 'b',
  trace_id: `t${i}`,
  parent_id: 'b',
  timestamp: '2024-01-01T00:00:00.000000',
  info: { host: 'h' },
});
