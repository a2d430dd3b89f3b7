// parseProfilerMessage: the notification of an oslo.messaging 1.0 body or 2.0 envelope, or why there is none.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseProfilerMessage } from '../../../src/collector/message.js';
import { buildNotificationMessage, encodeMessageBody } from '../../../src/drivers/messaging/message.js';
import type { Notification } from '../../../src/core/payload.js';

const payload: Notification = {
  name: 'wsgi-start',
  base_id: 'b1',
  trace_id: 't1',
  parent_id: 'b1',
  timestamp: '2024-05-14T09:30:12.000100',
  info: { host: 'ctl-01' },
  project: 'nova',
  service: 'api',
};
const message = buildNotificationMessage(payload, { publisherId: 'ctl-01' });
const body = (value: unknown): Uint8Array => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('parseProfilerMessage', () => {
  it('reads the payload and publisher of a 1.0 body (the message dict itself)', () => {
    assert.deepEqual(parseProfilerMessage(encodeMessageBody(message)), {
      ok: true,
      payload,
      publisherId: 'ctl-01',
    });
  });

  it('reads the 2.0 envelope (oslo.version / oslo.message as JSON text)', () => {
    const envelope = { 'oslo.version': '2.0', 'oslo.message': JSON.stringify(message) };
    assert.deepEqual(parseProfilerMessage(body(envelope)), { ok: true, payload, publisherId: 'ctl-01' });
  });

  it('reads a body that is a view into a larger buffer (as amqplib hands them over)', () => {
    const whole = Buffer.concat([Buffer.from('xxxx'), Buffer.from(encodeMessageBody(message)), Buffer.from('yyyy')]);
    const view = whole.subarray(4, whole.length - 4);
    assert.equal(parseProfilerMessage(view).ok, true);
  });

  const bad: [string, unknown, string][] = [
    ['not JSON', 'not json', 'the body is not a JSON object'],
    ['a JSON array', [1, 2], 'the body is not a JSON object'],
    [
      'an envelope with broken JSON',
      { 'oslo.message': '{broken' },
      'its oslo.message is not the JSON text of an object',
    ],
    [
      'an envelope whose message is not text',
      { 'oslo.message': { payload } },
      'its oslo.message is not the JSON text of an object',
    ],
    ['no payload', { event_type: 'profiler.api' }, 'it has no payload object'],
    ['a payload without base_id', { payload: { ...payload, base_id: undefined } }, 'its payload has no base_id string'],
    [
      'a payload with a numeric timestamp',
      { payload: { ...payload, timestamp: 5 } },
      'its payload has no timestamp string',
    ],
    ['a payload with an empty name', { payload: { ...payload, name: '' } }, 'its payload has no name string'],
  ];
  for (const [what, value, reason] of bad) {
    it(`says why ${what} holds no notification, without throwing`, () => {
      assert.deepEqual(parseProfilerMessage(body(value)), { ok: false, reason });
    });
  }
});
