// The amqplib surface the messaging:// driver uses: structural types, loading amqplib lazily, small waits.
import { loadPeer, peerExport } from '../load-peer.js';

/** A message as amqplib delivers it (the part read here). */
export interface AmqpDeliveryLike {
  content: Uint8Array;
}

/** The part of an amqplib Channel / ConfirmChannel the driver uses. */
export interface AmqpDriverChannelLike {
  assertExchange(exchange: string, type: string, options: { durable: boolean; autoDelete: boolean }): Promise<unknown>;
  assertQueue(queue: string, options: { durable: boolean; autoDelete: boolean }): Promise<unknown>;
  bindQueue(queue: string, exchange: string, pattern: string): Promise<unknown>;
  publish(exchange: string, routingKey: string, content: Buffer, options: object): boolean;
  waitForConfirms?(): Promise<void>;
  prefetch(count: number): Promise<unknown>;
  consume(
    queue: string,
    onMessage: (message: AmqpDeliveryLike | null) => void,
    options: { noAck: boolean },
  ): Promise<{ consumerTag: string }>;
  cancel(consumerTag: string): Promise<unknown>;
  ack(message: AmqpDeliveryLike): void;
  close(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** The part of an amqplib ChannelModel (connection) the driver uses. */
export interface AmqpConnectionLike {
  createChannel(): Promise<AmqpDriverChannelLike>;
  createConfirmChannel(): Promise<AmqpDriverChannelLike>;
  close(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  /** amqplib's internal connection: its socket and heartbeat timers are unref'd while idle. */
  connection?: unknown;
}

/** The amqplib internals touched (all optional: other versions may lack them). */
export interface AmqplibInternals {
  stream?: { ref?(): unknown; unref?(): unknown; destroy?(): unknown };
  heartbeater?: { sendTimer?: { unref?(): unknown }; recvTimer?: { unref?(): unknown } };
}

/** amqplib's internal connection object of a ChannelModel, when it has one. */
export function internals(model: AmqpConnectionLike | undefined): AmqplibInternals | undefined {
  const connection = model?.connection;
  return connection !== null && typeof connection === 'object' ? (connection as AmqplibInternals) : undefined;
}

/** Opens a connection to an amqplib URL; replaceable in tests. */
export type AmqpConnect = (url: string) => Promise<AmqpConnectionLike>;

/** Resolves when the channel can take more (or closes). */
export function drained(channel: AmqpDriverChannelLike): Promise<void> {
  return new Promise((resolve) => {
    // why: the publish channel lives long; listeners left behind would pile up batch after batch.
    const done = (): void => {
      channel.removeListener('drain', done);
      channel.removeListener('close', done);
      resolve();
    };
    channel.once('drain', done);
    channel.once('close', done);
  });
}

/** `promise`, rejected when it takes longer than `ms` (undefined: resolves at once). */
export function withTimeout<T>(promise: Promise<T> | undefined, ms: number, what: string): Promise<T | undefined> {
  if (promise === undefined) return Promise.resolve(undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * amqplib's `connect`, loaded on first use (`load` replaces the import in tests).
 * @throws DriverMissingError when amqplib is not installed.
 */
export async function loadAmqplibConnect(
  connectTimeoutMs = 5000,
  load: () => Promise<unknown> = () => import('amqplib'),
): Promise<AmqpConnect> {
  const mod = await loadPeer('messaging', 'amqplib', load);
  const connect = peerExport<(url: string, socketOptions: object) => Promise<AmqpConnectionLike>>(
    mod,
    'messaging',
    'amqplib',
    'connect',
  );
  return (url) => connect(url, { timeout: connectTimeoutMs });
}
