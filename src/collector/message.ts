// Reads one profiler notification out of an AMQP body (oslo.messaging 1.0 dict or 2.0 envelope), or says why it cannot.
import type { Notification } from '../core/payload.js';

/** A notification read from a message, or the reason the message is unusable. */
export type ParsedMessage =
  { ok: true; payload: Notification; publisherId: string | undefined } | { ok: false; reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The notification (`payload`) of a message body. Accepts the 1.0 form (the message dict itself,
 * what Python OSProfiler's `messaging` notifier driver sends) and the 2.0 envelope
 * (`{"oslo.version": "2.0", "oslo.message": "<json of the dict>"}`, driver `messagingv2`). The
 * payload must be an object with string `name`, `base_id` and `timestamp` (what every store and
 * the report need). Never throws.
 */
export function parseProfilerMessage(body: Uint8Array): ParsedMessage {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  let message = parse(text);
  if (!isObject(message)) return { ok: false, reason: 'the body is not a JSON object' };
  if (Object.hasOwn(message, 'oslo.message')) {
    const inner = message['oslo.message'];
    message = typeof inner === 'string' ? parse(inner) : undefined;
    if (!isObject(message)) return { ok: false, reason: 'its oslo.message is not the JSON text of an object' };
  }
  const payload = message.payload;
  if (!isObject(payload)) return { ok: false, reason: 'it has no payload object' };
  for (const key of ['name', 'base_id', 'timestamp'] as const) {
    if (typeof payload[key] !== 'string' || payload[key] === '')
      return { ok: false, reason: `its payload has no ${key} string` };
  }
  const publisher = message.publisher_id;
  return {
    ok: true,
    payload: payload as unknown as Notification,
    publisherId: typeof publisher === 'string' ? publisher : undefined,
  };
}
