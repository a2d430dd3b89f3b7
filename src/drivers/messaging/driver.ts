// messaging:// — notifications as oslo.messaging 1.0 messages on RabbitMQ (amqplib), read back by draining the topic queue.
import { deadlinesOf, withDeadline } from '../deadline.js';
import { runOutsideTrace } from '../../core/context.js';
import { DriverUnavailableError, NotSupportedError } from '../../errors.js';
import { getHostname } from '../../core/host.js';
import { debug, logRateLimited } from '../../log.js';
import type { Notification } from '../../core/payload.js';
import { ReportBuilder } from '../../report/build.js';
import type { Report, TraceSummary } from '../../report/types.js';
import type { Driver, TraceReader, DriverOptions } from '../driver.js';
import {
  amqpUrlFromTransportUrl,
  buildNotificationMessage,
  DEFAULT_CONTROL_EXCHANGE,
  DEFAULT_TOPIC,
  DEFAULT_TRANSPORT_URL,
  encodeMessageBody,
  MESSAGE_PROPERTIES,
  readMessagePayload,
  redactUrl,
} from './message.js';
import {
  drained,
  internals,
  loadAmqplibConnect,
  withTimeout,
  type AmqpConnect,
  type AmqpConnectionLike,
  type AmqpDriverChannelLike,
} from './client.js';
import { storedRecord } from '../records.js';

export {
  loadAmqplibConnect,
  type AmqpConnect,
  type AmqpConnectionLike,
  type AmqpDeliveryLike,
  type AmqpDriverChannelLike,
} from './client.js';

/** Options of the messaging driver, beyond every driver's (`transportUrl`, `idleTimeoutMs`). */
export interface MessagingDriverOptions extends DriverOptions {
  /** oslo.messaging `control_exchange`. Default `openstack`. */
  controlExchange?: string;
  /** Notification topic; routing key and queue are `<topic>.info`. Default `profiler`. */
  topic?: string;
  /** oslo.messaging `amqp_durable_queues` (exchange and queue durability). Default false. */
  durableQueues?: boolean;
  /** Request context sent with every message as `_context_<key>` fields (Python sends the service's). */
  messageContext?: Record<string, unknown>;
  /** How long a batch waits for the broker's confirms before it counts as failed. Default `writeTimeoutMs` (5000). */
  publishTimeoutMs?: number;
  /** Connect timeout, AMQP handshake included. Default 5000. */
  connectTimeoutMs?: number;
  /** How long close() waits for the broker before dropping the socket. Default 2000. */
  closeTimeoutMs?: number;
}

const PREFETCH = 256;
// why: a broker back from an outage is written again within about a second (reconnecting also
// opens a confirm channel and declares the exchange and queue); a refused attempt costs nothing.
const MAX_BACKOFF_MS = 500;

/**
 * The messaging store: each notification (with project/service) published as the oslo.messaging
 * message Python's driver sends — format 1.0, the message dict as the JSON body — on the topic
 * exchange `openstack` with routing key `profiler.info`; the queue `profiler.info` is declared and
 * bound so notifications wait until read. One confirm channel; each batch waits for the broker's
 * confirms. Reading a trace consumes the queue until `idleTimeoutMs` (default 1000) passes without
 * a message of that trace; **messages of other traces are consumed and dropped**, as Python's
 * reader does. No listing (Python has none). The connection opens on first use, reconnects with a
 * backoff of up to 0.5 s, does not keep the process alive while idle, and all I/O runs outside any
 * trace context.
 * @since 0.1.0
 */
export class MessagingDriver implements Driver, TraceReader {
  /** This store can be read back (trace show, trace list, ui). */
  readonly reader: TraceReader = this;
  readonly scheme = 'messaging';
  /** `unwritable`: notifications that could not be encoded; `dropped`: other traces' messages consumed by getReport. */
  readonly stats = { unwritable: 0, dropped: 0 };
  readonly #connect: AmqpConnect;
  readonly #url: string;
  readonly #options: MessagingDriverOptions;
  readonly #exchange: string;
  readonly #routingKey: string;
  #model: AmqpConnectionLike | undefined;
  #connecting: Promise<AmqpConnectionLike> | undefined;
  #publisher: Promise<AmqpDriverChannelLike> | undefined;
  #retryAt = 0;
  #backoffMs = 0;
  #lastError: Error | undefined;
  #busy = 0;
  #closed = false;

  constructor(connect: AmqpConnect, options: MessagingDriverOptions = {}) {
    this.#connect = connect;
    this.#options = options;
    this.#url = amqpUrlFromTransportUrl(options.transportUrl || DEFAULT_TRANSPORT_URL);
    this.#exchange = options.controlExchange || DEFAULT_CONTROL_EXCHANGE;
    this.#routingKey = `${options.topic || DEFAULT_TOPIC}.info`;
  }

  /** Publishes a batch (one message per notification) and waits for the broker's confirms. */
  async notifyBatch(batch: readonly Notification[]): Promise<void> {
    const publisherId = this.#options.host ?? getHostname();
    const bodies: Buffer[] = [];
    for (const payload of batch) {
      try {
        const record = storedRecord(payload, this.#options);
        const message = buildNotificationMessage(record, { publisherId, context: this.#options.messageContext });
        bodies.push(encodeMessageBody(message));
      } catch (error) {
        this.stats.unwritable++;
        logRateLimited(
          'warn',
          'messaging-encode',
          `osprofiler: a notification could not be sent: ${(error as Error)?.message}`,
        );
      }
    }
    if (bodies.length === 0) return;
    const deadlines = deadlinesOf(this.#options);
    // why: publishing can also wait on a channel that never drains; the whole batch gets writeTimeoutMs.
    const publish = this.#run(async () => {
      let channel: AmqpDriverChannelLike;
      try {
        channel = await this.#publisherChannel();
      } catch (error) {
        throw this.#unavailable(error);
      }
      try {
        for (const body of bodies) {
          if (!channel.publish(this.#exchange, this.#routingKey, body, MESSAGE_PROPERTIES)) await drained(channel);
        }
        const confirmMs = this.#options.publishTimeoutMs ?? deadlinesOf(this.#options).writeMs;
        await withTimeout(channel.waitForConfirms?.(), confirmMs, 'broker confirms');
      } catch (error) {
        this.#publisher = undefined;
        void channel.close().catch(() => {});
        throw this.#unavailable(error);
      }
    });
    await withDeadline(publish, deadlines.writeMs, `RabbitMQ ${redactUrl(this.#url)}`, 'publish', () => {
      this.#publisher = undefined;
    });
  }

  /**
   * Drains the queue: the notifications of `baseId` in arrival order, until `idleTimeoutMs`
   * passes with none of them. Other traces' messages are acknowledged and dropped (Python).
   */
  async getReport(baseId: string): Promise<Report> {
    const connectMs = deadlinesOf(this.#options).connectMs;
    return this.#run(async () => {
      const model = await withDeadline(this.#connection(), connectMs, `RabbitMQ ${redactUrl(this.#url)}`, 'connect');
      const channel = await model.createChannel();
      channel.on('error', (error: unknown) => debug('messaging: reader channel: %s', (error as Error)?.message));
      try {
        await this.#declare(channel);
        await channel.prefetch(PREFETCH);
        return await this.#drain(channel, String(baseId));
      } catch (error) {
        throw this.#unavailable(error);
      } finally {
        await channel.close().catch(() => {});
      }
    });
  }

  /** Python's messaging driver cannot list traces, and neither can this one. */
  async listTraces(): Promise<TraceSummary[]> {
    throw new NotSupportedError(
      'The messaging:// driver cannot list traces (Python OSProfiler has no list for it either): ' +
        'notifications wait in a queue until one trace is read. Use `osprofiler trace show <id>`.',
    );
  }

  /** Not supported either: error traces are not recorded separately on a queue. */
  async listErrorTraces(): Promise<TraceSummary[]> {
    throw new NotSupportedError('The messaging:// driver cannot list error traces.');
  }

  /** Opens the connection (AMQP handshake included) within `connectTimeoutMs`, or rejects saying why. */
  async connect(): Promise<void> {
    const ms = deadlinesOf(this.#options).connectMs;
    await this.#run(() => withDeadline(this.#connection(), ms, `RabbitMQ ${redactUrl(this.#url)}`, 'connect'));
  }

  describe(): string {
    return `RabbitMQ ${redactUrl(this.#url)} (exchange ${this.#exchange}, queue ${this.#routingKey})`;
  }

  /**
   * Closes the channel and the connection. Idempotent. Resolves within `closeTimeoutMs`
   * (default 2000) even when the broker does not answer: then the socket is destroyed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const model = this.#model ?? (await this.#connecting?.catch(() => undefined));
    this.#model = undefined;
    this.#publisher = undefined;
    if (model === undefined) return;
    const stream = internals(model)?.stream;
    // why: an idle connection's socket is unref'd (#applyRef), and closing waits for the broker's
    // Close-Ok on that socket. With nothing else keeping the event loop alive, the process ended
    // with close() pending: `osprofiler trace show` printed nothing and exited 0 after draining the
    // queue, and a service's last `await shutdown()` never settled. Holding the socket while
    // closing keeps the loop alive until the answer comes.
    stream?.ref?.();
    try {
      await withTimeout(model.close(), this.#options.closeTimeoutMs ?? 2000, "the broker's Close-Ok");
    } catch (error) {
      debug('messaging: close: %s', (error as Error)?.message);
      stream?.destroy?.();
    }
  }

  // ---- internals ----

  async #drain(channel: AmqpDriverChannelLike, baseId: string): Promise<Report> {
    const builder = new ReportBuilder();
    const idleMs = this.#options.idleTimeoutMs ?? 1000;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => (finish = resolve));
    const stop = (): void => {
      stopped = true;
      clearTimeout(timer);
      finish();
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(stop, idleMs);
    };
    channel.once('close', stop);
    arm();
    let consumerTag: string;
    try {
      ({ consumerTag } = await channel.consume(
        this.#routingKey,
        (message) => {
          if (message === null) return stop(); // the broker cancelled the consumer
          // why: after the idle stop, deliveries are left unacknowledged: closing the channel
          // puts them back on the queue for the next reader.
          if (stopped) return;
          channel.ack(message);
          const payload = readMessagePayload(message.content);
          if (payload !== undefined && payload.base_id === baseId) {
            builder.add(payload);
            arm();
          } else {
            this.stats.dropped++;
          }
        },
        { noAck: false },
      ));
    } catch (error) {
      stop();
      throw error;
    }
    await done;
    await channel.cancel(consumerTag).catch(() => {});
    return builder.build();
  }

  async #declare(channel: AmqpDriverChannelLike): Promise<void> {
    const flags = { durable: this.#options.durableQueues === true, autoDelete: false };
    await channel.assertExchange(this.#exchange, 'topic', flags);
    await channel.assertQueue(this.#routingKey, flags);
    await channel.bindQueue(this.#routingKey, this.#exchange, this.#routingKey);
  }

  #publisherChannel(): Promise<AmqpDriverChannelLike> {
    if (this.#publisher === undefined) {
      const opening = (async () => {
        const model = await this.#connection();
        const channel = await model.createConfirmChannel();
        // why: an 'error' event without a listener would throw from amqplib's socket handler.
        channel.on('error', (error: unknown) => debug('messaging: publish channel: %s', (error as Error)?.message));
        channel.on('close', () => {
          if (this.#publisher === opening) this.#publisher = undefined;
        });
        await this.#declare(channel);
        return channel;
      })();
      this.#publisher = opening;
      opening.catch(() => {
        if (this.#publisher === opening) this.#publisher = undefined;
      });
    }
    return this.#publisher;
  }

  async #connection(): Promise<AmqpConnectionLike> {
    if (this.#closed) throw new DriverUnavailableError('messaging: the driver is closed.');
    if (this.#model !== undefined) return this.#model;
    if (this.#connecting === undefined) {
      const wait = this.#retryAt - Date.now();
      if (wait > 0) throw this.#unavailable(undefined, `next attempt in ${wait} ms`);
      this.#connecting = this.#open().finally(() => (this.#connecting = undefined));
    }
    return this.#connecting;
  }

  async #open(): Promise<AmqpConnectionLike> {
    let model: AmqpConnectionLike;
    try {
      this.#lastError = undefined;
      model = await this.#connect(this.#url);
    } catch (error) {
      this.#backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(100, this.#backoffMs * 2));
      this.#retryAt = Date.now() + this.#backoffMs;
      this.#lastError = error as Error;
      throw this.#unavailable(error, `next attempt in ${this.#backoffMs} ms`);
    }
    this.#backoffMs = 0;
    this.#retryAt = 0;
    model.on('error', (error: unknown) => {
      this.#lastError = error as Error;
      debug('messaging: connection: %s', (error as Error)?.message);
    });
    model.on('close', () => {
      if (this.#model !== model) return;
      this.#model = undefined;
      this.#publisher = undefined;
    });
    // why: heartbeats only matter while the process runs for other reasons.
    internals(model)?.heartbeater?.sendTimer?.unref?.();
    internals(model)?.heartbeater?.recvTimer?.unref?.();
    if (this.#closed) {
      await model.close().catch(() => {});
      throw new DriverUnavailableError('messaging: the driver is closed.');
    }
    this.#model = model;
    this.#applyRef();
    return model;
  }

  /** Runs one operation outside any trace, keeping the process alive meanwhile. */
  #run<T>(op: () => Promise<T>): Promise<T> {
    return runOutsideTrace(async () => {
      this.#busy++;
      this.#applyRef();
      try {
        return await op();
      } finally {
        this.#busy--;
        this.#applyRef();
      }
    });
  }

  #applyRef(): void {
    // why: an idle connection must not keep a finished host process alive; one in use must.
    const stream = internals(this.#model)?.stream;
    if (this.#busy > 0) stream?.ref?.();
    else stream?.unref?.();
  }

  #unavailable(error: unknown, retry?: string): DriverUnavailableError {
    if (error instanceof DriverUnavailableError) return error;
    const why = (error as Error | undefined)?.message ?? this.#lastError?.message ?? 'not connected';
    return new DriverUnavailableError(
      `RabbitMQ ${redactUrl(this.#url)} failed (${why})${retry === undefined ? '' : `; ${retry}`}.`,
      error ?? this.#lastError,
    );
  }
}

/**
 * Creates the messaging driver (anything after `messaging://` is ignored, as in Python; the
 * broker is `options.transportUrl`, default `amqp://guest:guest@127.0.0.1:5672/`). Loads amqplib
 * here, so a missing package is reported when the notifier starts. No connection is opened yet.
 * @since 0.1.0
 */
export async function createMessagingDriver(
  _connectionString: string,
  options: MessagingDriverOptions = {},
  connect?: AmqpConnect,
): Promise<MessagingDriver> {
  return new MessagingDriver(connect ?? (await loadAmqplibConnect(deadlinesOf(options).connectMs)), options);
}
