// A bounded queue between notify() and a driver: batches writes, drops when full, never throws.
import { runOutsideTrace } from '../core/context.js';
import { logRateLimited, debug } from '../log.js';
import type { Notification } from '../core/payload.js';
import { DEFAULT_WRITE_TIMEOUT_MS, withDeadline } from '../drivers/deadline.js';
import { estimateNotificationBytes } from './size-estimate.js';

/** Default byte bound of a queue (estimated heap bytes of the notifications it holds). */
export const DEFAULT_MAX_QUEUE_BYTES = 32 * 1024 * 1024;

/** Counters of one notifier. */
export interface NotifierStats {
  /** Waiting to be written. */
  queued: number;
  /** Stored by the driver. */
  written: number;
  /** Refused because the queue was full, by count or by bytes (or the driver could not start). */
  dropped: number;
  /** Handed to the driver but not stored (the driver threw or rejected). */
  failed: number;
}

/** Tuning of the queue. */
export interface QueueOptions {
  /** Most notifications held in memory; more are dropped and counted. Default 100,000. */
  maxQueueSize?: number;
  /**
   * Most bytes (estimated heap size) held in memory; more are dropped and counted. Default
   * 32 MiB. why: a burst of spans to a store that is down must not grow the host's memory by
   * more than a few tens of MiB, whatever the notifications carry.
   */
  maxQueueBytes?: number;
  /** Most notifications per driver call. Default 1,000. */
  maxBatchSize?: number;
  /** Longest wait before a partial batch is written. Default 50 ms. */
  flushIntervalMs?: number;
  /**
   * Longest time one batch write may take (default 5000 ms; drivers enforce it themselves).
   * The queue stops waiting 1 s later whatever the driver does, and counts the batch as failed.
   */
  writeTimeoutMs?: number;
  /** Longest time flush() and shutdown() wait (default 10000 ms); shutdown counts what is left as failed. */
  flushTimeoutMs?: number;
}

/** How many batches' worth of ring slots a queue keeps once it is empty. */
const REUSED_BATCHES = 4;
/** The smallest ring (a power of two). */
const MIN_RING_SLOTS = 64;

/** Default of `flushTimeoutMs`. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;
// why: the driver's own deadline (same value) should fire first with its specific message.
const BACKSTOP_GRACE_MS = 1000;

/** A batch handed to the sink and not settled yet. */
interface InFlight {
  readonly size: number;
  /** Counted as failed by abandon(); its late outcome is not counted again. */
  abandoned: boolean;
}

/** What the queue writes to: a driver, or a promise of one while it loads. */
export interface BatchSink {
  notifyBatch(batch: readonly Notification[]): Promise<void> | void;
  /**
   * Batch size the sink prefers when the user set none. why: a driver whose writes run on the
   * event loop (SQLite) keeps each write short by asking for smaller batches.
   */
  readonly preferredBatchSize?: number;
  /**
   * How many batches may be handed over before the first is written (default 1). why: a driver
   * that writes on another thread encodes the next batch while the last one is being stored.
   */
  readonly maxWritesInFlight?: number;
}

/**
 * Holds notifications in a ring of slots and writes them in batches, one write at a time.
 * why: the host's request path only pushes onto an array; all I/O happens later, outside any
 * trace context, with timers that never keep the process alive.
 */
export class BatchingQueue {
  readonly stats: NotifierStats = { queued: 0, written: 0, dropped: 0, failed: 0 };
  // why: a ring (its length a power of two, `stats.queued` items from `head` on, wrapping), so a
  // push writes into a slot that exists: a queue that never empties between writes (a busy
  // service) grew its array on every push and copied it now and then, ~150 ns a push (Node 20).
  private items: (Notification | undefined)[] = [];
  /** Estimated bytes of each item, in the same slots as `items`. */
  private sizes: number[] = [];
  private head = 0;
  /** Estimated bytes of the queued items. */
  private bytes = 0;
  private readonly maxQueueSize: number;
  private readonly maxQueueBytes: number;
  private maxBatchSize: number;
  private readonly batchSizeSet: boolean;
  private readonly flushIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** Writes handed to the sink and not settled yet (promises that never reject). */
  private readonly inFlight = new Map<Promise<void>, InFlight>();
  private readonly backstopMs: number;
  /** Default deadline of flush(). */
  readonly flushTimeoutMs: number;
  private maxInFlight = 1;
  private sink: BatchSink | undefined;
  private closed = false;

  constructor(
    private readonly label: string,
    options: QueueOptions = {},
  ) {
    this.maxQueueSize = Math.max(1, options.maxQueueSize ?? 100_000);
    this.maxQueueBytes = Math.max(1, options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES);
    this.maxBatchSize = Math.max(1, options.maxBatchSize ?? 1_000);
    this.batchSizeSet = options.maxBatchSize !== undefined;
    this.flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 50);
    this.backstopMs = positive(options.writeTimeoutMs, DEFAULT_WRITE_TIMEOUT_MS) + BACKSTOP_GRACE_MS;
    this.flushTimeoutMs = positive(options.flushTimeoutMs, DEFAULT_FLUSH_TIMEOUT_MS);
  }

  /** Sets where batches go; until then notifications wait (bounded) in the queue. */
  attach(sink: BatchSink | undefined): void {
    this.sink = sink;
    const preferred = sink?.preferredBatchSize;
    if (!this.batchSizeSet && typeof preferred === 'number' && preferred >= 1)
      this.maxBatchSize = Math.floor(preferred);
    const concurrent = sink?.maxWritesInFlight;
    this.maxInFlight = typeof concurrent === 'number' && concurrent >= 1 ? Math.floor(concurrent) : 1;
    if (sink !== undefined && this.stats.queued > 0) this.schedule(true);
  }

  /** Marks the sink as unusable: what is queued and what comes later is dropped and counted. */
  fail(): void {
    this.stats.dropped += this.stats.queued;
    this.clear();
    this.closed = true;
  }

  /** Queues one notification. O(1), no I/O, never throws. */
  push(payload: Notification): void {
    const size = this.closed ? 0 : estimateNotificationBytes(payload);
    if (this.closed || this.stats.queued >= this.maxQueueSize || this.bytes + size > this.maxQueueBytes) {
      this.stats.dropped++;
      logRateLimited('warn', `queue-full:${this.label}`, this.dropMessage());
      return;
    }
    if (this.stats.queued === this.items.length) this.grow();
    const slot = (this.head + this.stats.queued) & (this.items.length - 1);
    this.items[slot] = payload;
    this.sizes[slot] = size;
    this.bytes += size;
    this.stats.queued++;
    this.schedule(this.stats.queued >= this.maxBatchSize);
  }

  /** Estimated heap bytes of what is queued (bounded by maxQueueBytes). */
  get queuedBytes(): number {
    return this.bytes;
  }

  private dropMessage(): string {
    const why = this.closed
      ? 'store unavailable'
      : this.stats.queued >= this.maxQueueSize
        ? `queue full at ${this.maxQueueSize} notifications`
        : `queue full at ${this.maxQueueBytes} bytes`;
    return `osprofiler: notifications for ${this.label} are being dropped (${why}); dropped so far: ${this.stats.dropped}`;
  }

  /**
   * Resolves once everything queued has been written or counted as failed (true), or once
   * `timeoutMs` (default `flushTimeoutMs`) has passed (false; the rest stays queued).
   */
  async flush(timeoutMs = this.flushTimeoutMs): Promise<boolean> {
    this.clearTimers();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), timeoutMs);
    });
    try {
      while (this.sink !== undefined && (this.stats.queued > 0 || this.inFlight.size > 0)) {
        while (this.stats.queued > 0 && this.inFlight.size < this.maxInFlight) this.writeNext();
        if ((await Promise.race([...this.inFlight.keys(), expired])) === 'expired') return false;
      }
      return this.stats.queued === 0;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Gives up on what is queued and in flight: counts it as failed (a write that still lands later
   * is not counted again). Returns how many notifications that was.
   */
  abandon(): number {
    let lost = this.stats.queued;
    for (const entry of this.inFlight.values()) {
      if (entry.abandoned) continue;
      entry.abandoned = true;
      lost += entry.size;
    }
    this.stats.failed += lost;
    this.clear();
    this.clearTimers();
    return lost;
  }

  /** Empties the queue and lets go of its arrays. */
  private clear(): void {
    this.items = [];
    this.sizes = [];
    this.head = 0;
    this.bytes = 0;
    this.stats.queued = 0;
  }

  /** Doubles the ring (the queue is full), its items moved to the start in order. */
  private grow(): void {
    const { items, sizes, head } = this;
    const count = this.stats.queued;
    const capacity = Math.max(MIN_RING_SLOTS, 2 * items.length);
    const mask = items.length - 1;
    const nextItems: (Notification | undefined)[] = [];
    const nextSizes: number[] = [];
    for (let i = 0; i < count; i++) {
      nextItems.push(items[(head + i) & mask]);
      nextSizes.push(sizes[(head + i) & mask]!);
    }
    // why: filled, not holey, so V8 keeps both arrays in their fast packed form.
    for (let i = count; i < capacity; i++) {
      nextItems.push(undefined);
      nextSizes.push(0);
    }
    this.items = nextItems;
    this.sizes = nextSizes;
    this.head = 0;
  }

  private schedule(now: boolean): void {
    if (this.sink === undefined) return;
    // why: while writes are in flight, only a full batch with a free slot starts another; the
    // rest waits for a write to finish (which schedules again).
    if (this.inFlight.size > 0 && !(now && this.inFlight.size < this.maxInFlight)) return;
    if (now) {
      if (this.immediate === undefined) this.startImmediate();
    } else if (this.timer === undefined && this.immediate === undefined) {
      this.startTimer();
    }
  }

  // why: the closures live in these two rarely called methods: a closure over `this` in
  // schedule() itself made V8 allocate its context on every call, i.e. on every push.
  private startImmediate(): void {
    this.immediate = runOutsideTrace(() => setImmediate(() => this.onTimer()));
    this.immediate.unref?.();
  }

  private startTimer(): void {
    this.timer = runOutsideTrace(() => setTimeout(() => this.onTimer(), this.flushIntervalMs));
    this.timer.unref();
  }

  private clearTimers(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private onTimer(): void {
    this.clearTimers();
    while (this.stats.queued > 0 && this.inFlight.size < this.maxInFlight) {
      if (this.inFlight.size > 0 && this.stats.queued < this.maxBatchSize) break;
      this.writeNext();
    }
  }

  private takeBatch(): Notification[] {
    const count = Math.min(this.maxBatchSize, this.stats.queued);
    const { items, sizes } = this;
    const mask = items.length - 1;
    const end = this.head + count;
    // why: slices copy natively into an array of the right size (a push loop grew one).
    const batch = (
      end <= items.length
        ? items.slice(this.head, end)
        : items.slice(this.head).concat(items.slice(0, end - items.length))
    ) as Notification[];
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const slot = (this.head + i) & mask;
      bytes += sizes[slot]!;
      // why: the batch holds them now; the queue's slot must not keep them alive after the write.
      items[slot] = undefined;
    }
    this.head = (this.head + count) & mask;
    this.bytes -= bytes;
    this.stats.queued -= count;
    if (this.stats.queued === 0) {
      this.head = 0;
      this.bytes = 0;
      // why: the ring stays for the next batches; one grown by a burst goes.
      if (items.length > REUSED_BATCHES * this.maxBatchSize) {
        this.items = [];
        this.sizes = [];
      }
    }
    return batch;
  }

  private writeNext(): void {
    const sink = this.sink!;
    const batch = this.takeBatch();
    const entry: InFlight = { size: batch.length, abandoned: false };
    const done = runOutsideTrace(async () => {
      try {
        // why: a driver that never settles (a wedged store, a third-party driver without
        // timeouts) must not hold the queue's write slot, flush() or shutdown() for good.
        const write = sink.notifyBatch(batch);
        await withDeadline(
          Promise.resolve(write),
          this.backstopMs,
          this.label,
          `writing ${batch.length} notifications`,
        );
        if (!entry.abandoned) this.stats.written += batch.length;
      } catch (error) {
        if (entry.abandoned) return;
        this.stats.failed += batch.length;
        logRateLimited(
          'error',
          `write:${this.label}`,
          `osprofiler: writing ${batch.length} notifications to ${this.label} failed: ${(error as Error)?.message ?? error}`,
        );
        debug('write failed: %o', error);
      }
    });
    const settled: Promise<void> = done.then(() => {
      this.inFlight.delete(settled);
      if (this.stats.queued > 0) this.schedule(true);
    });
    this.inFlight.set(settled, entry);
  }
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
