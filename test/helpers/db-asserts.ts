// Assertions on the db-start/db-stop notifications the SQL client instrumentations send, shared by their integration tests.
import assert from 'node:assert/strict';
import type { Notification } from '../../src/core/payload.js';
import { dbInfo, type NotificationCapture } from './capture.js';

/** The stop of a failed statement carries exactly etype, message, the db error info and the host. */
export function assertErrorStop(stop: Notification, etype: string, message: string): void {
  assert.deepEqual(stop.info, {
    etype,
    message,
    db: { original_exception: message, chained_exception: '' },
    host: stop.info.host,
  });
}

/** Each `task-start` (with `info.i`) has, as its child, a stopped statement whose params are `[i]`. */
export function assertEachTaskParentsItsStatement(capture: NotificationCapture): void {
  const { sent, starts, stopOf } = capture;
  for (const task of sent.filter((n) => n.name === 'task-start')) {
    const db = starts().find((n) => n.parent_id === task.trace_id);
    assert.ok(db, `task ${String(task.info.i)} has its statement as a child`);
    assert.deepEqual(dbInfo(db!).params, [task.info.i]);
    assert.ok(stopOf(db!));
  }
}
