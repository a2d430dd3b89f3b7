// The SQLite writer thread: owns one connection and writes the batches the main thread posts.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { loadSqlite } from './library.js';
import type BetterSqlite3 from 'better-sqlite3';
import { configureWriter, createBatchInserter } from './insert.js';
import type { EncodedBatch } from './encoded-batch.js';
import { WRITER_READY_ID, type WriterRequest, type WriterResponse, type WriterStart } from './writer-protocol.js';

const Database = loadSqlite();

/**
 * The nice value of this thread on Linux (the event loop's stays at the process's).
 * why: a batch posted to this thread wakes it, and when the other cores are busy (the garbage
 * collector's threads, other processes) the scheduler often ran it at once on the event loop's
 * core: the event loop then waited for the whole insert (~1 ms for 250 rows) inside postMessage.
 * Measured over 1,200 batches posted after bursts of spans on this 2-core VM at load 7: 22–47
 * such stalls over 0.5 ms at nice 0, 17–18 at 5, 6–8 at 10, 0–3 at 15, 0–1 at 19. 15 rather
 * than 19: where every core is busy with the service's own work, the thread still gets a few
 * per cent of one, and a store that falls behind fills the bounded queue, which drops and counts.
 */
const WRITER_NICE = 15;

/** Lowers this thread's priority where threads have their own (Linux); elsewhere does nothing. */
function lowerPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    // /proc/thread-self is a link to "<pid>/task/<tid>"; setpriority() on a tid affects that thread only
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.max(WRITER_NICE, getPriority(tid)));
  } catch {
    // no /proc, or a sandbox that forbids it: the thread keeps the process's priority
  }
}

const { path, busyTimeoutMs } = workerData as WriterStart;
lowerPriority();
const port = parentPort!;
let db: BetterSqlite3.Database | undefined;
let insert: ((batch: EncodedBatch) => void) | undefined;

/**
 * The batch inserter, opening the database first if it is not open yet.
 * why: opened on demand, so a file that could not be opened (removed, a full or unmounted disk)
 * fails only the batches written meanwhile and is used again once it is back; the error goes back
 * with the batch, for the notifier to count.
 */
function inserter(): (batch: EncodedBatch) => void {
  if (insert !== undefined) return insert;
  try {
    db = new Database(path, { fileMustExist: true, timeout: busyTimeoutMs });
    configureWriter(db);
    insert = createBatchInserter(db);
    return insert;
  } catch (error) {
    db?.close();
    db = undefined;
    throw new Error(`cannot open ${path} for writing: ${(error as Error).message}`, { cause: error });
  }
}

port.on('message', (request: WriterRequest) => {
  if (request.type === 'close') {
    db?.close();
    port.close();
    return;
  }
  let response: WriterResponse;
  try {
    inserter()(request.batch);
    response = { id: request.id };
  } catch (error) {
    response = { id: request.id, error: (error as Error).message ?? String(error) };
  }
  port.postMessage(response);
});

// why: the main thread writes inline instead when the thread dies before this (it could not start).
port.postMessage({ id: WRITER_READY_ID } satisfies WriterResponse);
