// The demo's RPC bus over RabbitMQ: one queue per topic, replies on a private queue, requests traced by instrumentAmqp.
import { randomUUID } from 'node:crypto';
import { instrumentAmqp } from '../rpc.js';
import { CALL_TIMEOUT_MS, type Bus, type BusHandler } from './bus.js';

interface Delivery {
  content: Buffer;
  fields: { exchange: string; routingKey: string };
  properties: { headers?: Record<string, unknown>; replyTo?: string; correlationId?: string };
}

interface Channel {
  assertQueue(queue: string, options: object): Promise<{ queue: string }>;
  sendToQueue(queue: string, content: Buffer, options?: Record<string, unknown>): boolean;
  publish(exchange: string, routingKey: string, content: Buffer, options?: Record<string, unknown>): boolean;
  consume(queue: string, onMessage: (message: Delivery | null) => void, options?: object): Promise<unknown>;
  ack(message: Delivery): void;
  deleteQueue(queue: string): Promise<unknown>;
}

interface Connection {
  createChannel(): Promise<Channel>;
  close(): Promise<void>;
  on(event: string, listener: (error: unknown) => void): unknown;
}

/** Loads amqplib (an optional peer dependency) with a message naming the package when it is missing. */
async function connect(url: string): Promise<Connection> {
  let amqplib: { connect(url: string): Promise<unknown> };
  try {
    amqplib = (await import('amqplib')) as unknown as { connect(url: string): Promise<unknown> };
  } catch {
    throw new Error('--transport-url needs the amqplib package: npm install amqplib');
  }
  return (await amqplib.connect(url)) as Connection;
}

/**
 * RabbitMQ transport: topic `t` is the queue `<prefix>.t` (auto-deleted, so a killed run leaves
 * nothing behind). Requests go through a channel traced by `instrumentAmqp` in the oslo-context
 * form (`_context_trace_info` in the body, as oslo.messaging sends it); replies use a second,
 * untraced channel, as oslo's reply queues carry no trace of their own.
 */
export class AmqpBus implements Bus {
  private readonly pending = new Map<
    string,
    { resolve(body: string): void; reject(e: Error): void; timer: NodeJS.Timeout }
  >();
  private readonly served: string[] = [];

  private constructor(
    private readonly connection: Connection,
    private readonly requests: Channel,
    private readonly replies: Channel,
    private readonly replyQueue: string,
    private readonly prefix: string,
  ) {}

  /** Connects, opens both channels and starts listening for replies. */
  static async open(url: string, prefix: string): Promise<AmqpBus> {
    const connection = await connect(url);
    // why: an 'error' event without a listener would crash the service; the close that follows ends it cleanly.
    connection.on('error', () => {});
    const requests = instrumentAmqp(await connection.createChannel(), { propagation: 'oslo-context' });
    const replies = await connection.createChannel();
    const { queue } = await replies.assertQueue('', { exclusive: true, autoDelete: true });
    const bus = new AmqpBus(connection, requests, replies, queue, prefix);
    await replies.consume(queue, (message) => bus.onReply(message), { noAck: true });
    return bus;
  }

  async serve(topic: string, handler: BusHandler): Promise<void> {
    const queue = `${this.prefix}.${topic}`;
    await this.requests.assertQueue(queue, { durable: false, autoDelete: true, arguments: { 'x-expires': 60_000 } });
    this.served.push(queue);
    await this.requests.consume(queue, (message) => {
      if (message === null) return undefined;
      // why: returning the promise keeps instrumentAmqp's consume span open until the handler is done.
      return handler(message.content.toString('utf8')).then((reply) => {
        const { replyTo, correlationId } = message.properties;
        if (replyTo) this.replies.sendToQueue(replyTo, Buffer.from(reply), { correlationId });
        this.requests.ack(message);
      });
    });
  }

  cast(topic: string, body: string): void {
    this.requests.sendToQueue(`${this.prefix}.${topic}`, Buffer.from(body));
  }

  call(topic: string, body: string): Promise<string> {
    const correlationId = randomUUID();
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new Error(`no reply from ${topic} within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(correlationId, { resolve, reject, timer });
      this.requests.sendToQueue(`${this.prefix}.${topic}`, Buffer.from(body), {
        replyTo: this.replyQueue,
        correlationId,
      });
    });
  }

  async close(): Promise<void> {
    for (const { timer, reject } of this.pending.values()) {
      clearTimeout(timer);
      reject(new Error('bus closed'));
    }
    this.pending.clear();
    await Promise.all(this.served.map((queue) => this.requests.deleteQueue(queue).catch(() => undefined)));
    await this.connection.close().catch(() => undefined);
  }

  private onReply(message: Delivery | null): void {
    const id = message?.properties.correlationId;
    if (message === null || id === undefined) return;
    const waiting = this.pending.get(id);
    if (waiting === undefined) return;
    this.pending.delete(id);
    clearTimeout(waiting.timer);
    waiting.resolve(message.content.toString('utf8'));
  }
}
