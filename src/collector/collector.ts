// `osprofiler collect`'s engine: profiler notifications from RabbitMQ into a store, in batches, acknowledged once committed.
import type { Notification } from '../core/payload.js';
import type { Driver } from '../drivers/driver.js';
import {
  amqpUrlFromTransportUrl,
  DEFAULT_CONTROL_EXCHANGE,
  DEFAULT_TOPIC,
  DEFAULT_TRANSPORT_URL,
} from '../drivers/messaging/message.js';
import { AmqpSource, type AmqpSession, type CollectorConnectionLike, type CollectorDelivery } from './amqp-source.js';
import { parseProfilerMessage } from './message.js';
import { emptyStats, type CollectorStats } from './stats.js';

/** Options of {@link Collector}. */
export interface CollectorOptions {
  /** The store every notification is written to (any driver that can write). */
  store: Driver;
  /** Opens an AMQP connection (amqplib's `connect` with a timeout; tests pass their own). */
  connect: (url: string) => Promise<CollectorConnectionLike>;
  /** oslo.messaging transport URL (`rabbit://…`, `amqp://…`). Default `amqp://guest:guest@127.0.0.1:5672/`. */
  transportUrl?: string;
  /** oslo.messaging `control_exchange`. Default `openstack`. */
  controlExchange?: string;
  /** Notification topic; the queue and routing key are `<topic>.info`. Default `profiler`. */
  topic?: string;
  /** oslo.messaging `amqp_durable_queues`. Default false. */
  durableQueues?: boolean;
  /** Notifications per store write. Default 2000. */
  batchSize?: number;
  /** A batch that is not full is written after this many ms. Default 200. */
  flushIntervalMs?: number;
  /** Unacknowledged messages RabbitMQ may hand over at once. Default 4 × batchSize (at most 65535). */
  prefetch?: number;
  /** Queue unusable messages are copied to (with an `x-osprofiler-reason` header); '' (default) logs them only. */
  deadLetterQueue?: string;
  /**
   * The store keeps the writing host in a column of its own (the SQL layout): each record then
   * carries its `info.host` (else the message's publisher_id) as `host`, which fills that
   * column instead of the collector's own host name.
   */
  hostColumn?: boolean;
  /** One line per event worth telling an operator (connection lost, store failing, bad message). */
  log?: (line: string) => void;
}

interface Batch {
  session: AmqpSession;
  records: Notification[];
  last: CollectorDelivery | undefined;
}

const MAX_STORE_BACKOFF_MS = 5000;
const LOG_EVERY_MS = 10_000;

/**
 * Consumes the profiler notifications that services send to RabbitMQ (Python's `messaging://`
 * driver and ours) and writes them into a store, so they can be read any number of times.
 *
 * At-least-once: a message is acknowledged only after the store committed the batch holding it
 * (one multiple-ack per batch; batches are written one at a time, in delivery order). A store
 * that fails gets the same batch again with backoff while its messages stay unacknowledged, so
 * RabbitMQ stops delivering at the prefetch limit (memory stays bounded). A lost connection is
 * reopened with backoff; what it had not acknowledged comes back from RabbitMQ and may be stored
 * twice, which reports absorb: a trace point is keyed by its trace_id, so a repeated
 * `<name>-start`/`-stop` lands on the same node (as in Python's report builder). Unusable
 * messages are counted, logged (rate-limited) and acknowledged, after a copy to the dead-letter
 * queue when one is set. Never throws from a delivery.
 * @since 0.1.0
 */
export class Collector {
  readonly #options: CollectorOptions;
  readonly #stats = emptyStats();
  readonly #source: AmqpSource;
  readonly #batchSize: number;
  readonly #flushIntervalMs: number;
  readonly #sealed: Batch[] = [];
  #filling: Batch | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  #pumping: Promise<void> | undefined;
  #stopping = false;
  /** Stopping, and the store did not take the rest in time: no more writes. */
  #halted = false;
  #giveUpAt = Infinity;
  #storeBackoffMs = 0;
  #wake: (() => void) | undefined;
  readonly #lastLog = new Map<string, { at: number; suppressed: number }>();

  constructor(options: CollectorOptions) {
    this.#options = options;
    this.#batchSize = Math.max(1, options.batchSize ?? 2000);
    this.#flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 200);
    const topic = options.topic || DEFAULT_TOPIC;
    this.#source = new AmqpSource({
      url: amqpUrlFromTransportUrl(options.transportUrl || DEFAULT_TRANSPORT_URL),
      exchange: options.controlExchange || DEFAULT_CONTROL_EXCHANGE,
      queue: `${topic}.info`,
      durable: options.durableQueues === true,
      prefetch: Math.min(65_535, Math.max(1, options.prefetch ?? this.#batchSize * 4)),
      deadLetterQueue: options.deadLetterQueue ?? '',
      connect: options.connect,
      onDelivery: (delivery, session) => this.#onDelivery(delivery, session),
      onSessionLost: (session, why) => this.#onSessionLost(session, why),
      onSessionUp: () => this.#log('connected', 'consuming from RabbitMQ'),
      log: (line) => this.#log('amqp', line),
    });
  }

  /** Starts consuming (connecting in the background, retried until it works). */
  start(): void {
    this.#source.start();
  }

  /** A copy of the counters. */
  stats(): CollectorStats {
    return { ...this.#stats, reconnects: this.#source.reconnects };
  }

  /**
   * Stops consuming, writes and acknowledges what was received (for at most `timeoutMs`; what is
   * left stays unacknowledged and RabbitMQ keeps it for the next run), closes the connection and
   * the store. Returns the final counters. Never rejects.
   */
  async stop(timeoutMs = 3000): Promise<CollectorStats> {
    this.#stopping = true;
    this.#giveUpAt = Date.now() + timeoutMs;
    await this.#source.cancel();
    this.#seal();
    this.#wake?.();
    if (this.#pumping !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#pumping,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, this.#giveUpAt - Date.now())))),
      ]);
      clearTimeout(timer);
    }
    await this.#source.close();
    try {
      await this.#options.store.close();
    } catch (error) {
      this.#log('store-close', `closing the store failed: ${(error as Error)?.message}`);
    }
    return this.stats();
  }

  #onDelivery(delivery: CollectorDelivery, session: AmqpSession): void {
    const stats = this.#stats;
    stats.received++;
    if (delivery.fields.redelivered) stats.redelivered++;
    const parsed = parseProfilerMessage(delivery.content);
    if (!parsed.ok) {
      stats.bad++;
      const copied = this.#source.deadLetter(session, delivery.content, parsed.reason);
      if (copied) stats.deadLettered++;
      this.#log(
        'bad',
        `skipped a message: ${parsed.reason}${copied ? ` (copied to ${this.#options.deadLetterQueue})` : ''}`,
      );
      // why: a message that can never be stored would otherwise come back forever.
      if (session.ackOne(delivery)) stats.acked++;
      return;
    }
    let record = parsed.payload;
    if (this.#options.hostColumn) {
      const info = record.info as unknown;
      const infoHost = info !== null && typeof info === 'object' ? (info as Record<string, unknown>).host : undefined;
      const host = typeof infoHost === 'string' ? infoHost : parsed.publisherId;
      if (host !== undefined) record = { ...record, host };
    }
    let batch = this.#filling;
    if (batch === undefined || batch.session !== session) {
      this.#seal();
      batch = this.#filling = { session, records: [], last: undefined };
      clearTimeout(this.#flushTimer);
      this.#flushTimer = setTimeout(() => this.#seal(), this.#flushIntervalMs);
    }
    batch.records.push(record);
    batch.last = delivery;
    stats.pending++;
    if (batch.records.length >= this.#batchSize) this.#seal();
  }

  #onSessionLost(session: AmqpSession, why: string): void {
    // why: RabbitMQ puts the unacknowledged messages of a closed channel back on the queue, so
    // batches not yet handed to the store are dropped here and arrive again on the next channel.
    if (this.#filling?.session === session) {
      this.#stats.pending -= this.#filling.records.length;
      this.#filling = undefined;
      clearTimeout(this.#flushTimer);
    }
    if (!this.#stopping) this.#log('lost', `RabbitMQ session lost (${why}); unacknowledged messages will come again`);
  }

  #seal(): void {
    clearTimeout(this.#flushTimer);
    const batch = this.#filling;
    this.#filling = undefined;
    if (batch === undefined || batch.records.length === 0) return;
    this.#sealed.push(batch);
    this.#kick();
  }

  #kick(): void {
    if (this.#pumping !== undefined) return;
    this.#pumping = this.#pump().finally(() => {
      this.#pumping = undefined;
      // why: a batch sealed after the loop saw an empty list but before this callback ran would
      // otherwise wait for the next seal (and the last one of a burst, forever).
      if (this.#sealed.length > 0 && !this.#halted) this.#kick();
    });
  }

  /** Writes the sealed batches one at a time, in order; acknowledges each once it is committed. */
  async #pump(): Promise<void> {
    const stats = this.#stats;
    while (this.#sealed.length > 0) {
      const batch = this.#sealed[0]!;
      const n = batch.records.length;
      if (!batch.session.alive) {
        this.#sealed.shift();
        stats.pending -= n;
        continue;
      }
      try {
        await this.#options.store.notifyBatch(batch.records);
      } catch (error) {
        stats.storeErrors++;
        this.#storeBackoffMs = Math.min(MAX_STORE_BACKOFF_MS, Math.max(100, this.#storeBackoffMs * 2));
        this.#log(
          'store',
          `the store failed a batch of ${n} (${(error as Error)?.message}); retrying in ${this.#storeBackoffMs} ms`,
        );
        if (this.#stopping && Date.now() + this.#storeBackoffMs > this.#giveUpAt) return this.#halt();
        await this.#sleep(this.#storeBackoffMs);
        if (this.#stopping && Date.now() >= this.#giveUpAt) return this.#halt();
        continue;
      }
      this.#storeBackoffMs = 0;
      this.#sealed.shift();
      stats.stored += n;
      stats.pending -= n;
      if (batch.last !== undefined && batch.session.ackUpTo(batch.last)) stats.acked += n;
    }
  }

  #halt(): void {
    this.#halted = true;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  /** At most one line per kind every 10 s, with the number held back meanwhile. */
  #log(kind: string, line: string): void {
    const log = this.#options.log;
    if (log === undefined) return;
    const now = Date.now();
    const last = this.#lastLog.get(kind);
    if (last !== undefined && now - last.at < LOG_EVERY_MS) {
      last.suppressed++;
      return;
    }
    const held = last !== undefined && last.suppressed > 0 ? ` (${last.suppressed} similar held back)` : '';
    this.#lastLog.set(kind, { at: now, suppressed: 0 });
    try {
      log(`${line}${held}`);
    } catch {
      // a broken log sink must not stop collecting
    }
  }
}
