// An in-memory stand-in for an amqplib connection, recording what the messaging driver declares and publishes.
import { EventEmitter } from 'node:events';
import type {
  AmqpConnect,
  AmqpConnectionLike,
  AmqpDeliveryLike,
  AmqpDriverChannelLike,
} from '../../src/drivers/messaging/client.js';

export interface FakePublish {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: Record<string, unknown>;
}

/** One broker: queues named by routing key (what the driver binds), and a log of every call. */
export class FakeAmqpBroker {
  readonly calls: unknown[][] = [];
  readonly published: FakePublish[] = [];
  readonly queues = new Map<string, AmqpDeliveryLike[]>();
  connects = 0;
  /** The next connect() rejects with this. */
  connectError: Error | undefined;
  /** waitForConfirms() rejects with this. */
  confirmError: Error | undefined;
  readonly connections: FakeAmqpConnection[] = [];

  readonly connect: AmqpConnect = async (url) => {
    this.connects++;
    this.calls.push(['connect', url]);
    if (this.connectError) throw this.connectError;
    const connection = new FakeAmqpConnection(this);
    this.connections.push(connection);
    return connection;
  };

  /** Puts a raw body on a queue, as another publisher would. */
  enqueue(queue: string, body: string | Buffer): void {
    const list = this.queues.get(queue) ?? [];
    list.push({ content: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8') });
    this.queues.set(queue, list);
  }
}

export class FakeAmqpConnection extends EventEmitter implements AmqpConnectionLike {
  closed = false;
  constructor(readonly broker: FakeAmqpBroker) {
    super();
  }
  async createChannel(): Promise<AmqpDriverChannelLike> {
    return new FakeAmqpChannel(this.broker, false);
  }
  async createConfirmChannel(): Promise<AmqpDriverChannelLike> {
    return new FakeAmqpChannel(this.broker, true);
  }
  async close(): Promise<void> {
    this.closed = true;
    this.emit('close');
  }
}

export class FakeAmqpChannel extends EventEmitter implements AmqpDriverChannelLike {
  #consumer: ((message: AmqpDeliveryLike | null) => void) | undefined;
  #closed = false;

  constructor(
    readonly broker: FakeAmqpBroker,
    readonly confirm: boolean,
  ) {
    super();
  }

  async assertExchange(exchange: string, type: string, options: object): Promise<unknown> {
    this.broker.calls.push(['assertExchange', exchange, type, options]);
    return { exchange };
  }
  async assertQueue(queue: string, options: object): Promise<unknown> {
    this.broker.calls.push(['assertQueue', queue, options]);
    if (!this.broker.queues.has(queue)) this.broker.queues.set(queue, []);
    return { queue };
  }
  async bindQueue(queue: string, exchange: string, pattern: string): Promise<unknown> {
    this.broker.calls.push(['bindQueue', queue, exchange, pattern]);
    return {};
  }
  publish(exchange: string, routingKey: string, content: Buffer, options: object): boolean {
    this.broker.published.push({ exchange, routingKey, content, options: { ...options } });
    this.broker.enqueue(routingKey, content);
    return true;
  }
  async waitForConfirms(): Promise<void> {
    if (this.broker.confirmError) throw this.broker.confirmError;
  }
  async prefetch(count: number): Promise<unknown> {
    this.broker.calls.push(['prefetch', count]);
    return {};
  }
  async consume(
    queue: string,
    onMessage: (message: AmqpDeliveryLike | null) => void,
    options: { noAck: boolean },
  ): Promise<{ consumerTag: string }> {
    this.broker.calls.push(['consume', queue, options]);
    this.#consumer = onMessage;
    // deliver what is queued, one message per turn, as a socket would
    const pending = [...(this.broker.queues.get(queue) ?? [])];
    const next = () => {
      const message = pending.shift();
      if (message === undefined || this.#closed || this.#consumer === undefined) return;
      this.#consumer(message);
      setImmediate(next);
    };
    setImmediate(next);
    return { consumerTag: 'ctag-1' };
  }
  async cancel(consumerTag: string): Promise<unknown> {
    this.broker.calls.push(['cancel', consumerTag]);
    this.#consumer = undefined;
    return {};
  }
  ack(message: AmqpDeliveryLike): void {
    for (const list of this.broker.queues.values()) {
      const i = list.indexOf(message);
      if (i !== -1) list.splice(i, 1);
    }
  }
  async close(): Promise<void> {
    if (this.#closed) throw new Error('Channel closed');
    this.#closed = true;
    this.emit('close');
  }
}
