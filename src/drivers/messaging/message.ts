// The messaging:// wire format: oslo.messaging 1.0 notification messages, their parsing, and transport URLs.
import { utcTimestamp } from '../../propagation/timestamp.js';
import { BadConnectionStringError } from '../../errors.js';
import { uuid4 } from '../../core/ids.js';
import type { Notification } from '../../core/payload.js';
import { pythonJsonDumps } from '../../propagation/python-json.js';

/** Broker used when no transport URL is given (RabbitMQ's default account on this machine). */
export const DEFAULT_TRANSPORT_URL = 'amqp://guest:guest@127.0.0.1:5672/';
/** oslo.messaging's default `control_exchange`. */
export const DEFAULT_CONTROL_EXCHANGE = 'openstack';
/** The notification topic Python OSProfiler uses; the routing key and queue are `<topic>.info`. */
export const DEFAULT_TOPIC = 'profiler';

/** AMQP properties of every published notification (kombu's JSON serializer). */
export const MESSAGE_PROPERTIES = Object.freeze({ contentType: 'application/json', contentEncoding: 'utf-8' });

/** Fields of one message; the ids and timestamp default to fresh values. */
export interface NotificationMessageFields {
  /** `publisher_id`: the writing host. */
  publisherId: string;
  /** Request context: each key becomes `_context_<key>` (oslo.messaging's packing). */
  context?: Record<string, unknown> | undefined;
  messageId?: string;
  uniqueId?: string;
  timestamp?: string;
}

/**
 * The message dict oslo.messaging's `Notifier.info(ctxt, "profiler.<service>", record)` publishes
 * with driver `messaging` (format 1.0, no envelope), keys in its order: message_id, publisher_id,
 * event_type, priority, payload, timestamp, _unique_id, then `_context_<key>` per context key.
 */
export function buildNotificationMessage(
  record: Notification,
  fields: NotificationMessageFields,
): Record<string, unknown> {
  const service = record.service;
  const message: Record<string, unknown> = {
    message_id: fields.messageId ?? uuid4(),
    publisher_id: fields.publisherId,
    // why: Python formats "profiler.%s" % service, so an unset service gives "profiler.None".
    event_type: `profiler.${service === undefined || service === null ? 'None' : String(service)}`,
    priority: 'INFO',
    payload: record,
    timestamp: fields.timestamp ?? messageTimestamp(),
    _unique_id: fields.uniqueId ?? uuid4().replace(/-/g, ''),
  };
  const context = fields.context;
  if (context !== undefined && context !== null) {
    for (const key of Object.keys(context)) message[`_context_${key}`] = context[key];
  }
  return message;
}

/** The AMQP body: the message as Python's `json.dumps` writes it (ASCII, `", "`/`": "`), UTF-8. */
export function encodeMessageBody(message: Record<string, unknown>): Buffer {
  return Buffer.from(pythonJsonDumps(message), 'utf8');
}

/**
 * `str(datetime.utcnow())`: `YYYY-MM-DD HH:MM:SS.ffffff`, without the fraction when it is zero.
 * why: taken from the notification clock, so tests that pin it pin this too.
 */
export function messageTimestamp(): string {
  const text = utcTimestamp().replace('T', ' ');
  return text.endsWith('.000000') ? text.slice(0, -7) : text;
}

/**
 * The notification (`payload`) of a received body: a 1.0 message dict, or the 2.0 envelope
 * (`{"oslo.version", "oslo.message": "<json>"}`) that driver `messagingv2` sends. Undefined for
 * anything else. Never throws.
 */
export function readMessagePayload(body: Uint8Array): Notification | undefined {
  try {
    let message = parseObject(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
    const inner = message?.['oslo.message'];
    if (typeof inner === 'string') message = parseObject(inner);
    const payload = message?.payload;
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Notification)
      : undefined;
  } catch {
    return undefined;
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  const value: unknown = JSON.parse(text);
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * An amqplib URL from an oslo.messaging transport URL: `amqp://` and `amqps://` as they are;
 * `rabbit://` as `amqp://` (`amqps://` with `?ssl=1`/`true`); of several hosts
 * (`rabbit://u:p@h1:5672,u:p@h2:5672/vhost`) the first. Throws BadConnectionStringError otherwise.
 */
export function amqpUrlFromTransportUrl(transportUrl: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(String(transportUrl).trim());
  const scheme = match?.[1]?.toLowerCase();
  if (match === null || scheme === undefined || !['amqp', 'amqps', 'rabbit'].includes(scheme)) {
    throw new BadConnectionStringError(
      `The messaging transport URL must start with amqp://, amqps:// or rabbit:// (got "${redactUrl(String(transportUrl))}").`,
    );
  }
  const rest = match[2]!;
  const cut = rest.search(/[/?]/);
  const authority = cut === -1 ? rest : rest.slice(0, cut);
  let tail = cut === -1 ? '/' : rest.slice(cut);
  let target = scheme;
  if (scheme === 'rabbit') {
    target = 'amqp';
    const [path, query = ''] = tail.split('?', 2) as [string, string?];
    const params = new URLSearchParams(query);
    const ssl = params.get('ssl')?.toLowerCase();
    if (ssl === '1' || ssl === 'true') target = 'amqps';
    params.delete('ssl');
    const left = params.toString();
    tail = (path === '' ? '/' : path) + (left === '' ? '' : `?${left}`);
  }
  return `${target}://${authority.split(',')[0]}${tail}`;
}

/** The URL with its password replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}
