// The SQLite writer thread: owns one connection and writes the batches the main thread posts.
import { parentPort, workerData } from 'node:worker_threads';
import Database from './sqlite-library.js';
import type BetterSqlite3 from 'better-sqlite3';
import { configureWriter, createBatchInserter, type RowChunk } from './sqlite-insert.js';
import type { WriterRequest, WriterResponse, WriterStart } from './sqlite-writer-protocol.js';

const { path, busyTimeoutMs } = workerData as WriterStart;
const port = parentPort!;
let insert: ((chunks: readonly RowChunk[]) => void) | undefined;
let db: BetterSqlite3.Database | undefined;
let openError: string | undefined;

try {
  db = new Database(path, { fileMustExist: true, timeout: busyTimeoutMs });
  configureWriter(db);
  insert = createBatchInserter(db);
} catch (error) {
  // why: reported with every batch instead of crashing the thread, so the notifier counts the
  // failures and the main thread decides what to do.
  openError = `cannot open ${path} for writing: ${(error as Error).message}`;
}

port.on('message', (request: WriterRequest) => {
  if (request.type === 'close') {
    db?.close();
    port.close();
    return;
  }
  let response: WriterResponse;
  try {
    if (insert === undefined) throw new Error(openError);
    insert(request.chunks);
    response = { id: request.id };
  } catch (error) {
    response = { id: request.id, error: (error as Error).message ?? String(error) };
  }
  port.postMessage(response);
});
