// Messages between the SQLite driver and its writer thread.
import type { RowChunk } from './insert.js';

/** What the writer thread is started with. */
export interface WriterStart {
  path: string;
  busyTimeoutMs: number;
}

/** Main thread → writer thread. */
export type WriterRequest = { type: 'write'; id: number; chunks: readonly RowChunk[] } | { type: 'close' };

/** Writer thread → main thread: one answer per write, with the error message when it failed. */
export interface WriterResponse {
  id: number;
  error?: string;
}
