// Hands the SQLite driver's batches to a writer thread, so no database write runs on the host's event loop.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { DriverUnavailableError } from '../../errors.js';
import { logRateLimited } from '../../log.js';
import type { EncodedBatch } from './encoded-batch.js';
import { WRITER_READY_ID, type WriterRequest, type WriterResponse, type WriterStart } from './writer-protocol.js';

/** How long close() waits for the thread to finish its last write and exit before stopping it. */
const CLOSE_TIMEOUT_MS = 5000;

interface PendingWrite {
  /** The rows, kept until the thread answers so they can be written inline if it never started. */
  batch: EncodedBatch;
  resolve: () => void;
  reject: (error: Error) => void;
  /** The write's promise (what close() waits for). */
  written: Promise<void>;
}

/** Writes a batch on the calling thread (the driver's own connection), throwing on a database error. */
export type InlineWriter = (batch: EncodedBatch) => void;

/**
 * One writer thread per SQLite file store, started on the first write. Each write resolves once
 * the thread has committed its transaction, or rejects with the thread's error (the notifier
 * counts the batch as failed). The thread holds the process open only while a write is in
 * flight, like a socket write would; when idle it lets the process exit. When no thread can be
 * started at all (a permission model forbidding workers, a thread that dies before it is ready),
 * every write from then on, and those waiting for the thread, goes through `inline` instead.
 */
export class SqliteWriterThread {
  readonly #start: WriterStart;
  readonly #inline: InlineWriter;
  /** Set once a thread could not start: writes run inline from then on. */
  #inlineOnly = false;
  /** True once the current thread has said it is ready. */
  #ready = false;
  /** The writes not answered yet, by id. */
  readonly #pending = new Map<number, PendingWrite>();
  #worker: Worker | undefined;
  #nextId = 1;
  #closed = false;

  constructor(start: WriterStart, inline: InlineWriter) {
    this.#start = start;
    this.#inline = inline;
  }

  /** True when writes run on the calling thread because no writer thread could start. */
  get inlineOnly(): boolean {
    return this.#inlineOnly;
  }

  /** Writes `batch` in one transaction on the writer thread (or inline, see the class). */
  write(batch: EncodedBatch): Promise<void> | void {
    if (this.#closed)
      return Promise.reject(new DriverUnavailableError(`The SQLite store ${this.#start.path} is closed.`));
    if (this.#inlineOnly) return this.#inline(batch);
    const worker = this.#worker ?? this.#spawn();
    if (worker === undefined) return this.#inline(batch);
    const id = this.#nextId++;
    let settle: Pick<PendingWrite, 'resolve' | 'reject'> | undefined;
    const written = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    this.#pending.set(id, { batch, ...settle!, written });
    if (this.#pending.size === 1) worker.ref();
    worker.postMessage({ type: 'write', id, batch } satisfies WriterRequest);
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

  /** Starts the thread, or switches to inline writes (and returns undefined) when it cannot. */
  #spawn(): Worker | undefined {
    let worker: Worker;
    try {
      worker = startWorker(this.#start);
    } catch (error) {
      this.#startFailed(error as Error);
      return undefined;
    }
    this.#ready = false;
    worker.unref();
    worker.on('message', (response: WriterResponse) => this.#settle(response));
    worker.on('error', (error: Error) => this.#lost(worker, error));
    worker.on('exit', (code: number) => this.#lost(worker, new Error(`the writer thread exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  /**
   * No thread could be started: from now on every write runs inline, beginning with those that
   * were waiting for the thread. why: the host's process settings, not the store, are at fault,
   * and dropping every notification (as a failed thread did before) loses the whole trace.
   */
  #startFailed(error: Error): void {
    this.#inlineOnly = true;
    logRateLimited(
      'warn',
      `sqlite-thread:${this.#start.path}`,
      `osprofiler: the SQLite writer thread could not start (${error.message}); writing to ${this.#start.path} on the main thread instead`,
    );
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    for (const pending of waiting) {
      try {
        this.#inline(pending.batch);
        pending.resolve();
      } catch (inlineError) {
        pending.reject(inlineError as Error);
      }
    }
  }

  #settle(response: WriterResponse): void {
    if (response.id === WRITER_READY_ID) {
      this.#ready = true;
      return;
    }
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
    if (!this.#ready) return this.#startFailed(error);
    const failure = new DriverUnavailableError(
      `The SQLite writer thread for ${this.#start.path} failed: ${error.message}`,
      error,
    );
    for (const pending of this.#pending.values()) pending.reject(failure);
    this.#pending.clear();
  }
}

/**
 * why: a worker inherits the host's execArgv unless told otherwise, and host flags can stop it
 * from starting at all (`node --input-type=module -e …` makes every worker fail with
 * "--input-type can only be used with string input"), or load the host's own preloads into it.
 * The writer needs none of them: the built thread is plain JS, and run from the TypeScript
 * sources it registers tsx itself.
 */
const WRITER_EXEC_ARGV: string[] = [];

function startWorker(workerData: WriterStart): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./writer-worker.js', import.meta.url), { workerData, execArgv: WRITER_EXEC_ARGV });
  }
  // why: run from the TypeScript sources (tests, tsx), the thread must register tsx itself:
  // Node 20 does not hand the parent's module hooks to worker threads.
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./writer-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: WRITER_EXEC_ARGV });
}
