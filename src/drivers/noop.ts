// noop:// — accepts and discards every notification (benchmarks, or storage switched off).
import { NotSupportedError } from '../errors.js';
import type { Notification } from '../core/payload.js';
import type { Report, TraceSummary } from '../report/types.js';
import type { Driver } from './driver.js';

/**
 * A driver that stores nothing. Reading from it says so instead of pretending a trace is empty.
 * @since 0.1.0
 */
export class NoopDriver implements Driver {
  readonly scheme = 'noop';
  /** How many notifications it was given (and dropped). */
  received = 0;

  notifyBatch(batch: readonly Notification[]): void {
    this.received += batch.length;
  }

  getReport(_baseId: string): Promise<Report> {
    return Promise.reject(new NotSupportedError('The noop:// driver stores nothing, so it has no traces to show.'));
  }

  listTraces(): Promise<TraceSummary[]> {
    return this.getReport('').then(() => []);
  }

  listErrorTraces(): Promise<TraceSummary[]> {
    return this.listTraces();
  }

  describe(): string {
    return 'noop:// (nothing is stored)';
  }

  close(): void {}
}
