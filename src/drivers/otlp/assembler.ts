// Pairs start/stop notifications by trace_id into finished OTLP spans, holding open starts in a bounded map.
import { uuidHex } from '../../core/ids.js';
import type { Notification } from '../../core/payload.js';
import { mapSpan, type OtlpSpan, type SpanNaming } from './mapping.js';

/** Counters of a {@link SpanAssembler}. */
export interface SpanAssemblerStats {
  /** Starts waiting for their stop. */
  open: number;
  /** Spans sent without a stop (evicted when too many were open, replaced, or left at close). */
  unfinished: number;
  /** Stops whose start was never seen (sent as zero-length spans). */
  missingStart: number;
  /** Notifications that are neither `-start` nor `-stop`, ignored. */
  ignored: number;
}

function keyOf(notification: Notification): string {
  const id = notification.trace_id;
  return uuidHex(id) ?? `raw:${String(id)}`;
}

/**
 * Turns the notification stream of one process into spans.
 * why: Python's exporter closes "whatever span started last" (a LIFO deque) on every stop, which
 * mislabels spans as soon as two traces interleave (concurrent requests, async code); here a
 * stop closes the start with its own trace_id. Open starts are bounded: beyond `maxOpen` the
 * oldest is sent as an unfinished span rather than kept forever.
 * @since 0.1.0
 */
export class SpanAssembler {
  readonly stats: SpanAssemblerStats = { open: 0, unfinished: 0, missingStart: 0, ignored: 0 };
  readonly #open = new Map<string, Notification>();

  constructor(
    readonly maxOpen = 10_000,
    readonly naming: SpanNaming = 'otlp',
  ) {}

  /** Feeds one notification; returns the spans it completed (usually zero or one). */
  add(notification: Notification, out: OtlpSpan[] = []): OtlpSpan[] {
    const name = typeof notification?.name === 'string' ? notification.name : '';
    if (name.endsWith('-start')) {
      const key = keyOf(notification);
      const previous = this.#open.get(key);
      if (previous !== undefined) {
        // the same trace point started twice: send the first as unfinished
        this.#open.delete(key);
        this.#unfinished(previous, out);
      }
      this.#open.set(key, notification);
      while (this.#open.size > this.maxOpen) {
        const [oldestKey, oldest] = this.#open.entries().next().value as [string, Notification];
        this.#open.delete(oldestKey);
        this.#unfinished(oldest, out);
      }
    } else if (name.endsWith('-stop')) {
      const key = keyOf(notification);
      const start = this.#open.get(key);
      if (start !== undefined) {
        this.#open.delete(key);
        out.push(mapSpan(start, notification, undefined, this.naming));
      } else {
        this.stats.missingStart++;
        out.push(mapSpan(undefined, notification, 'missing_start', this.naming));
      }
    } else {
      this.stats.ignored++;
    }
    this.stats.open = this.#open.size;
    return out;
  }

  /** Sends every open start as an unfinished span and forgets it (used at close). */
  drain(out: OtlpSpan[] = []): OtlpSpan[] {
    for (const start of this.#open.values()) this.#unfinished(start, out);
    this.#open.clear();
    this.stats.open = 0;
    return out;
  }

  #unfinished(start: Notification, out: OtlpSpan[]): void {
    this.stats.unfinished++;
    out.push(mapSpan(start, undefined, 'unfinished', this.naming));
  }
}
