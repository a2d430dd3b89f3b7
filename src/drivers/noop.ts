// noop:// — accepts and discards every notification (benchmarks, or storage switched off).
import type { Notification } from '../core/payload.js';
import type { Driver } from './driver.js';

/**
 * A driver that stores nothing. It has no read side, and says so instead of pretending a trace is empty.
 * @since 0.1.0
 */
export class NoopDriver implements Driver {
  readonly scheme = 'noop';
  /** How many notifications it was given (and dropped). */
  received = 0;

  notifyBatch(batch: readonly Notification[]): void {
    this.received += batch.length;
  }

  /** Write-only: it keeps nothing to read. */
  unreadableReason(): string {
    return 'The noop:// driver stores nothing, so it has no traces to show.';
  }

  describe(): string {
    return 'noop:// (nothing is stored)';
  }

  close(): void {}
}
