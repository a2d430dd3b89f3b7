// The SQLite writer thread: owns one connection and writes the batches the main thread posts.
import { parentPort, workerData } from 'node:worker_threads';
import { loadSqlite } from './library.js';
import type BetterSqlite3 from 'better-sqlite3';
import { configureWriter, createBatchInserter, type RowChunk } from './insert.js';
import { WRITER_READY_ID, type WriterRequest, type WriterResponse, type WriterStart } from './writer-protocol.js';

const Database = loadSqlite();

const { path, busyTimeoutMs } = workerData as WriterStart;
const port = parentPort!;
let db: BetterSqlite3.Database | undefined;
let insert: ((chunks: readonly RowChunk[]) => void) | undefined;

/**
 * The batch inserter, opening the database first if it is not open yet.
 * why: opened on demand, so a file that could not be opened (removed, a full or unmounted disk)
 * fails only the batches written meanwhile and is used again once it is back; the error goes back
 * with the batch, for the notifier to count.
 */
function inserter(): (chunks: readonly RowChunk[]) => void {
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
    inserter()(request.chunks);
    response = { id: request.id };
  } catch (error) {
    response = { id: request.id, error: (error as Error).message ?? String(error) };
  }
  port.postMessage(response);
});

// why: the main thread writes inline instead when the thread dies before this (it could not start).
port.postMessage({ id: WRITER_READY_ID } satisfies WriterResponse);
