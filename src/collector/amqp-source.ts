// The collector's RabbitMQ side: one connection and channel consuming the profiler queue, reopened with backoff whenever it drops.
import { debug } from '../log.js';
import { internals, withTimeout, type AmqpConnect, type AmqpConnectionLike } from '../drivers/messaging/client.js';
import { redactUrl } from '../drivers/messaging/message.js';

/** A delivery as amqplib hands it over (the parts read here). */
export interface CollectorDelivery {
  content: Uint8Array;
  fields: { deliveryTag: number; redelivered: boolean };
}

/** The amqplib Channel surface the collector uses. */
export interface CollectorChannelLike {
  assertExchange(exchange: string, type: string, options: { durable: boolean; autoDelete: boolean }): Promise<unknown>;
  assertQueue(queue: string, options: { durable: boolean; autoDelete: boolean }): Promise<unknown>;
  bindQueue(queue: string, exchange: string, pattern: string): Promise<unknown>;
  prefetch(count: number): Promise<unknown>;
  consume(
    queue: string,
    onMessage: (message: CollectorDelivery | null) => void,
    options: { noAck: boolean },
  ): Promise<{ consumerTag: string }>;
  cancel(consumerTag: string): Promise<unknown>;
  ack(message: CollectorDelivery, allUpTo?: boolean): void;
  sendToQueue(queue: string, content: Buffer, options: object): boolean;
  close(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** The amqplib ChannelModel surface the collector uses. */
export interface CollectorConnectionLike {
  createChannel(): Promise<CollectorChannelLike>;
  close(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  connection?: unknown;
}

/** Where and how to consume. */
export interface AmqpSourceOptions {
  /** amqplib URL (already converted from an oslo transport URL). */
  url: string;
  exchange: string;
  /** The queue and routing key, `<topic>.info`. */
  queue: string;
  durable: boolean;
  prefetch: number;
  /** Queue that unusable messages are copied to before they are acknowledged; '' for none. */
  deadLetterQueue: string;
  connect: (url: string) => Promise<CollectorConnectionLike>;
  /** Called for every delivery of the current channel, in order. */
  onDelivery: (delivery: CollectorDelivery, session: AmqpSession) => void;
  /** Called when a session ends (its unacknowledged deliveries go back to the queue). */
  onSessionLost: (session: AmqpSession, why: string) => void;
  /** Called when a session is consuming. */
  onSessionUp: (session: AmqpSession) => void;
  log: (line: string) => void;
  /** Backoff bounds in ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** One connection + channel; its delivery tags are only valid while `alive`. */
export class AmqpSession {
  alive = true;
  consumerTag: string | undefined;
  constructor(
    readonly model: CollectorConnectionLike,
    readonly channel: CollectorChannelLike,
  ) {}

  /** Acknowledges `delivery` and every earlier one of this channel; false when the session is gone. */
  ackUpTo(delivery: CollectorDelivery): boolean {
    if (!this.alive) return false;
    try {
      this.channel.ack(delivery, true);
      return true;
    } catch (error) {
      // why: amqplib throws when the channel closed under us; the broker requeues those messages.
      debug('collect: ack failed: %s', (error as Error)?.message);
      return false;
    }
  }

  /** Acknowledges one delivery alone. */
  ackOne(delivery: CollectorDelivery): boolean {
    if (!this.alive) return false;
    try {
      this.channel.ack(delivery, false);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Keeps one consuming session open: connects, declares the exchange, the queue and its binding
 * exactly as the messaging driver (and Python's notifier) do, sets the prefetch and consumes with
 * manual acknowledgements. When the connection or channel drops it tells the collector and
 * reconnects with exponential backoff (with jitter) until stop().
 */
export class AmqpSource {
  readonly #options: AmqpSourceOptions;
  #session: AmqpSession | undefined;
  #stopped = false;
  #backoffMs = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  /** Successful connections after the first. */
  reconnects = 0;
  #everConnected = false;

  constructor(options: AmqpSourceOptions) {
    this.#options = options;
  }

  /** Starts connecting (in the background); failures are retried. */
  start(): void {
    this.#schedule(0);
  }

  /** The live session, if any. */
  get session(): AmqpSession | undefined {
    return this.#session?.alive ? this.#session : undefined;
  }

  /** Stops consuming (the broker sends no more), keeping the channel for the last acks. */
  async cancel(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => {});
    const session = this.session;
    if (session?.consumerTag !== undefined) {
      await withTimeout(session.channel.cancel(session.consumerTag), 2000, 'consumer cancel').catch(() => {});
    }
  }

  /** Closes the channel and connection (bounded: the socket is destroyed after `timeoutMs`). */
  async close(timeoutMs = 2000): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const session = this.#session;
    this.#session = undefined;
    if (session === undefined) return;
    session.alive = false;
    try {
      await withTimeout(session.model.close(), timeoutMs, 'connection close');
    } catch (error) {
      debug('collect: close: %s', (error as Error)?.message);
      internals(session.model as Pick<AmqpConnectionLike, 'connection'> as AmqpConnectionLike)?.stream?.destroy?.();
    }
  }

  /** Copies an unusable body to the dead-letter queue (false when there is none or it failed). */
  deadLetter(session: AmqpSession, body: Uint8Array, reason: string): boolean {
    const queue = this.#options.deadLetterQueue;
    if (queue === '' || !session.alive) return false;
    try {
      session.channel.sendToQueue(queue, Buffer.from(body), {
        persistent: this.#options.durable,
        headers: { 'x-osprofiler-reason': reason },
      });
      return true;
    } catch {
      return false;
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#running = this.#open().catch((error: unknown) => this.#failed(error));
    }, delayMs);
  }

  #failed(error: unknown): void {
    const o = this.#options;
    this.#backoffMs = Math.min(o.maxBackoffMs ?? 5000, Math.max(o.minBackoffMs ?? 100, this.#backoffMs * 2));
    // why: jitter keeps a fleet of collectors from reconnecting in lockstep after a broker restart.
    const delay = Math.round(this.#backoffMs * (0.75 + Math.random() * 0.5));
    o.log(
      `RabbitMQ ${redactUrl(o.url)} unavailable (${(error as Error)?.message ?? String(error)}); retrying in ${delay} ms`,
    );
    this.#schedule(delay);
  }

  async #open(): Promise<void> {
    if (this.#stopped) return;
    const o = this.#options;
    const model = await o.connect(o.url);
    let session: AmqpSession | undefined;
    const lost = (why: string): void => {
      if (session === undefined || !session.alive) return;
      session.alive = false;
      if (this.#session === session) this.#session = undefined;
      o.onSessionLost(session, why);
      if (!this.#stopped) this.#failed(new Error(why));
    };
    // why: without listeners, amqplib's 'error' events would throw from its socket handler.
    model.on('error', (error: unknown) => debug('collect: connection error: %s', (error as Error)?.message));
    model.on('close', () => lost('the connection closed'));
    try {
      const channel = await model.createChannel();
      channel.on('error', (error: unknown) => debug('collect: channel error: %s', (error as Error)?.message));
      channel.on('close', () => lost('the channel closed'));
      const flags = { durable: o.durable, autoDelete: false };
      await channel.assertExchange(o.exchange, 'topic', flags);
      await channel.assertQueue(o.queue, flags);
      await channel.bindQueue(o.queue, o.exchange, o.queue);
      if (o.deadLetterQueue !== '') await channel.assertQueue(o.deadLetterQueue, flags);
      await channel.prefetch(o.prefetch);
      session = new AmqpSession(model, channel);
      if (this.#stopped) {
        session.alive = false;
        await model.close().catch(() => {});
        return;
      }
      this.#session = session;
      const current = session;
      const { consumerTag } = await channel.consume(
        o.queue,
        (message) => {
          if (message === null) return lost('the broker cancelled the consumer');
          if (current.alive) o.onDelivery(message, current);
        },
        { noAck: false },
      );
      current.consumerTag = consumerTag;
    } catch (error) {
      if (session !== undefined) session.alive = false;
      if (this.#session === session) this.#session = undefined;
      await model.close().catch(() => {});
      throw error;
    }
    if (this.#everConnected) this.reconnects++;
    this.#everConnected = true;
    this.#backoffMs = 0;
    o.onSessionUp(session);
  }
}

/** Wraps the messaging driver's amqplib loader for the collector's wider channel surface. */
export function collectorConnect(connect: AmqpConnect): (url: string) => Promise<CollectorConnectionLike> {
  return async (url) => (await connect(url)) as unknown as CollectorConnectionLike;
}
