// Messages between the SQLite driver and its writer thread.
import type { EncodedBatch } from './encoded-batch.js';

/** What the writer thread is started with. */
export interface WriterStart {
  path: string;
  busyTimeoutMs: number;
}

/** Main thread → writer thread. */
export type WriterRequest = { type: 'write'; id: number; batch: EncodedBatch } | { type: 'close' };

/** The id of the one message the thread sends, unasked, once it has loaded and can take writes. */
export const WRITER_READY_ID = 0;

/**
 * Writer thread → main thread: one answer per write, with the error message when it failed, and
 * first of all `{ id: WRITER_READY_ID }` (write ids start at 1).
 */
export interface WriterResponse {
  id: number;
  error?: string;
}
