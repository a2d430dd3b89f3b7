// The queue's size estimate grows with what a notification carries and stays cheap on odd input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { estimateNotificationBytes } from '../../../src/notifier/size-estimate.js';
import { buildNotification, withHost, type Notification } from '../../../src/core/payload.js';

const ID = '5e2cd2a4-0ab6-4b1c-9d12-9b0b1e0c8e5d';
const make = (info: Record<string, unknown> | undefined): Notification =>
  buildNotification('db-start', ID, ID, ID, '2024-01-01T00:00:00.000000', withHost(info, 'host'));

describe('estimateNotificationBytes', () => {
  it('counts a notification with no info at about three hundred bytes (its object, name, trace and parent ids, timestamp)', () => {
    const size = estimateNotificationBytes(make(undefined));
    assert.ok(size >= 250 && size <= 350, `size ${size}`);
  });

  it('grows with the strings and values of the info, nested ones included', () => {
    const empty = estimateNotificationBytes(make(undefined));
    const statement = estimateNotificationBytes(make({ db: { statement: 'x'.repeat(1000), params: [1, 2, 3] } }));
    assert.ok(statement - empty >= 1000, `${statement} vs ${empty}`);
    const deep = estimateNotificationBytes(make({ a: { b: { c: { d: 'y'.repeat(5000) } } } }));
    assert.ok(deep - empty >= 5000);
  });

  it('a huge info is walked only in part and still counted as big', () => {
    const params = Array.from({ length: 100_000 }, (_, i) => i);
    const size = estimateNotificationBytes(make({ db: { statement: 'insert', params } }));
    assert.ok(size >= 100_000 * 16, `size ${size}`);
  });

  it('an info whose getter throws, or that is cyclic, gets an estimate and no error', () => {
    const cyclic: Record<string, unknown> = { host: 'h' };
    cyclic.self = cyclic;
    const throwing = Object.defineProperty({}, 'bad', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    const payload = { ...make(undefined), info: throwing } as Notification;
    assert.ok(estimateNotificationBytes(payload) > 0);
    assert.ok(estimateNotificationBytes({ ...make(undefined), info: cyclic }) > 0);
  });
});
