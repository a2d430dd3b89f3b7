// Hands the SQLite driver's batches to a writer thread, so no database write runs on the host's event loop.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { DriverUnavailableError } from '../../errors.js';
import type { RowChunk } from './insert.js';
import type { WriterRequest, WriterResponse, WriterStart } from './writer-protocol.js';

/** How long close() waits for the thread to finish its last write and exit before stopping it. */
const CLOSE_TIMEOUT_MS = 5000;

interface PendingWrite {
  resolve: () => void;
  reject: (error: Error) => void;
  /** The write's promise (what close() waits for). */
  written: Promise<void>;
}

/**
 * One writer thread per SQLite file store, started on the first write. Each write resolves once
 * the thread has committed its transaction, or rejects with the thread's error (the notifier
 * counts the batch as failed). The thread holds the process open only while a write is in
 * flight, like a socket write would; when idle it lets the process exit.
 */
export class SqliteWriterThread {
  readonly #start: WriterStart;
  /** The writes not answered yet, by id. */
  readonly #pending = new Map<number, PendingWrite>();
  #worker: Worker | undefined;
  #nextId = 1;
  #closed = false;

  constructor(start: WriterStart) {
    this.#start = start;
  }

  /** Writes `chunks` in one transaction on the writer thread. */
  write(chunks: readonly RowChunk[]): Promise<void> {
    if (this.#closed)
      return Promise.reject(new DriverUnavailableError(`The SQLite store ${this.#start.path} is closed.`));
    const worker = this.#worker ?? this.#spawn();
    const id = this.#nextId++;
    let settle: Pick<PendingWrite, 'resolve' | 'reject'> | undefined;
    const written = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    this.#pending.set(id, { ...settle!, written });
    if (this.#pending.size === 1) worker.ref();
    worker.postMessage({ type: 'write', id, chunks } satisfies WriterRequest);
    return written;
  }

  /** Waits for the writes in flight, then stops the thread (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    if (worker === undefined) return;
    await Promise.allSettled([...this.#pending.values()].map((p) => p.written));
    this.#worker = undefined;
    worker.ref();
    const exited = once(worker, 'exit');
    worker.postMessage({ type: 'close' } satisfies WriterRequest);
    const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  #spawn(): Worker {
    const worker = startWorker(this.#start);
    worker.unref();
    worker.on('message', (response: WriterResponse) => this.#settle(response));
    worker.on('error', (error: Error) => this.#lost(worker, error));
    worker.on('exit', (code: number) => this.#lost(worker, new Error(`the writer thread exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  #settle(response: WriterResponse): void {
    const pending = this.#pending.get(response.id);
    if (pending === undefined) return;
    this.#pending.delete(response.id);
    if (this.#pending.size === 0) this.#worker?.unref();
    if (response.error === undefined) pending.resolve();
    else
      pending.reject(
        new DriverUnavailableError(`Writing to the SQLite store ${this.#start.path} failed: ${response.error}`),
      );
  }

  /** The thread died: its writes in flight fail, and the next write starts a new thread. */
  #lost(worker: Worker, error: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    const failure = new DriverUnavailableError(
      `The SQLite writer thread for ${this.#start.path} failed: ${error.message}`,
      error,
    );
    for (const pending of this.#pending.values()) pending.reject(failure);
    this.#pending.clear();
  }
}

function startWorker(workerData: WriterStart): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./writer-worker.js', import.meta.url), { workerData });
  }
  // why: run from the TypeScript sources (tests, tsx), the thread must register tsx itself:
  // Node 20 does not hand the parent's module hooks to worker threads.
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./writer-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
