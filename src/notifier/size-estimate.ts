// A cheap estimate of the heap bytes one queued notification holds (for the queue's byte bound).
import { isSharedInfo, type Notification } from '../core/payload.js';

// why: measured on Node 20 (64-bit, no pointer compression): a notification object with its six
// fields plus its queue slots takes ~100 bytes, a flat one-byte string ~16 bytes plus its length
// rounded up to 8; a timestamp (prefix + fraction) ~48. base_id (one string per trace) is not
// counted per notification; name, trace_id and parent_id are, although notifications share them,
// which keeps the estimate near the heap on Node 24 (larger objects): 32 MiB then holds ~110k small
// notifications, enough for flushOnExit's 100k, and RSS stays under 64 MiB. Counting base_id too
// dropped that queue at 91k.
const NOTIFICATION_BYTES = 104;
const STRING_BYTES = 24;
const OBJECT_BYTES = 32;
const SLOT_BYTES = 16;
const NUMBER_BYTES = 16;
// why: an info is walked for at most this many values (a function's args, a SQL statement and
// its params are a handful); beyond it each value is guessed at GUESS_BYTES, so a huge info
// costs a bounded walk and still counts as big.
const WALK_BUDGET = 256;
const GUESS_BYTES = 64;
const MAX_DEPTH = 8;

let budget = 0;

function stringBytes(value: unknown): number {
  return typeof value === 'string' ? STRING_BYTES + value.length : 0;
}

function valueBytes(value: unknown, depth: number): number {
  if (typeof value === 'string') return STRING_BYTES + value.length;
  if (typeof value !== 'object' || value === null) return typeof value === 'number' ? NUMBER_BYTES : 0;
  if (depth > MAX_DEPTH) return GUESS_BYTES;
  if (Array.isArray(value)) {
    let size = OBJECT_BYTES + SLOT_BYTES * value.length;
    const n = value.length;
    for (let i = 0; i < n; i++) {
      if (--budget < 0) return size + GUESS_BYTES * (n - i);
      size += valueBytes(value[i], depth + 1);
    }
    return size;
  }
  let size = OBJECT_BYTES;
  for (const key in value) {
    if (--budget < 0) return size + GUESS_BYTES;
    const field = (value as Record<string, unknown>)[key];
    // why: most values are strings; counting them here saves a call each (~15 ns a request).
    size += SLOT_BYTES + (typeof field === 'string' ? STRING_BYTES + field.length : valueBytes(field, depth + 1));
  }
  return size;
}

/**
 * Roughly how many heap bytes a notification holds while it waits in a queue: a fixed cost, the
 * name, trace and parent ids and timestamp, and a bounded walk of its info (the shared host-only info counts
 * nothing). O(size of info, at most 256 values); no serialisation, never throws.
 */
export function estimateNotificationBytes(payload: Notification): number {
  let size =
    NOTIFICATION_BYTES +
    stringBytes(payload.name) +
    stringBytes(payload.trace_id) +
    stringBytes(payload.parent_id) +
    stringBytes(payload.timestamp);
  const info = payload.info;
  if (!isSharedInfo(info)) {
    budget = WALK_BUDGET;
    try {
      size += valueBytes(info, 0);
    } catch {
      // why: a getter or proxy in a caller's info may throw; the estimate then stays a guess.
      size += GUESS_BYTES;
    }
  }
  return size;
}
