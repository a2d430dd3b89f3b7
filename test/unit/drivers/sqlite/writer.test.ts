// The SQLite store's writer thread: writes leave the event loop free, fail into the notifier's
// counters, are waited for by close(), and never keep an idle process alive.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadSqlite } from '../../../../src/drivers/sqlite/library.js';
import { createSqliteDriver } from '../../../../src/drivers/sqlite/driver.js';
import { DriverUnavailableError } from '../../../../src/errors.js';
import { setLogSink } from '../../../../src/log.js';
import { createNotifier } from '../../../../src/notifier/create.js';
import type { Notification } from '../../../../src/core/payload.js';

const Database = loadSqlite();

setLogSink(() => {});
after(() => setLogSink(undefined));

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'osp-sqlite-writer-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const dbPath = (name: string): string => join(dir, `${name}-${++counter}.db`);

function points(baseId: string, count: number): Notification[] {
  const out: Notification[] = [];
  for (let i = 0; i < count; i++) {
    const id = `44444444-0000-4000-8000-${String(i).padStart(12, '0')}`;
    out.push({
      name: 'x-start',
      base_id: baseId,
      trace_id: id,
      parent_id: baseId,
      timestamp: `2024-01-01T00:00:00.${String(i).padStart(6, '0')}`,
      info: { host: 'h' },
    });
  }
  return out;
}

function rowCount(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM data').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('SQLite writer thread', () => {
  it('a write waiting for another connection’s lock leaves the event loop running', async () => {
    const path = dbPath('locked');
    const driver = createSqliteDriver(`sqlite:///${path}`);
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const written = driver.notifyBatch(points('55555555-0000-4000-8000-000000000001', 10));
    assert.ok(written instanceof Promise, 'a file store writes on its thread and returns a promise');
    await sleep(300);
    const ticksWhileLocked = ticks;
    other.exec('COMMIT');
    other.close();
    await written;
    clearInterval(ticker);
    await driver.close();
    assert.ok(ticksWhileLocked >= 10, `the event loop ran while the write waited (${ticksWhileLocked} ticks)`);
    assert.equal(rowCount(path), 10);
  });

  it('opening an existing store while another connection holds the write lock does not wait for it', async () => {
    const path = dbPath('open-locked');
    await createSqliteDriver(`sqlite:///${path}`).close(); // the schema exists
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      // why: with a 300 ms busy timeout, a constructor that took the write lock would throw
      // "database is locked" here instead of returning.
      const driver = createSqliteDriver(`sqlite:///${path}`, { busyTimeoutMs: 300 });
      await driver.close();
    } finally {
      other.exec('COMMIT');
      other.close();
    }
  });

  it('inline (and in-memory) stores write synchronously, as before', () => {
    const path = dbPath('inline');
    const inline = createSqliteDriver(`sqlite:///${path}`, { writer: 'inline' });
    assert.equal(inline.notifyBatch(points('55555555-0000-4000-8000-000000000002', 3)), undefined);
    assert.equal(rowCount(path), 3, 'the rows are there as soon as notifyBatch returns');
    void inline.close();
    const memory = createSqliteDriver('sqlite://');
    assert.equal(memory.notifyBatch(points('55555555-0000-4000-8000-000000000003', 3)), undefined);
    void memory.close();
  });

  it('a write the thread cannot commit rejects with the database error; the next one succeeds', async () => {
    const path = dbPath('busy');
    const driver = createSqliteDriver(`sqlite:///${path}`, { busyTimeoutMs: 50 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    await assert.rejects(
      () => driver.notifyBatch(points('55555555-0000-4000-8000-000000000004', 5)) as Promise<void>,
      (error: unknown) => error instanceof DriverUnavailableError && /database is locked/.test(error.message),
    );
    other.exec('COMMIT');
    other.close();
    await driver.notifyBatch(points('55555555-0000-4000-8000-000000000005', 5));
    await driver.close();
    assert.equal(rowCount(path), 5);
  });

  it('a file that cannot be opened fails the batches meanwhile, and is written again once it is back', async () => {
    const path = dbPath('gone');
    const driver = createSqliteDriver(`sqlite:///${path}`);
    rmSync(path); // before the first write: the writer thread opens the file on demand
    await assert.rejects(
      () => driver.notifyBatch(points('55555555-0000-4000-8000-000000000030', 2)) as Promise<void>,
      (error: unknown) => error instanceof DriverUnavailableError && /cannot open .*gone/.test(error.message),
    );
    await createSqliteDriver(`sqlite:///${path}`).close(); // the store comes back
    await driver.notifyBatch(points('55555555-0000-4000-8000-000000000031', 2));
    await driver.close();
    assert.equal(rowCount(path), 2);
  });

  it('through the notifier, a failed write is counted and nothing is thrown', async () => {
    const path = dbPath('notifier');
    const notifier = createNotifier(`sqlite:///${path}`, { busyTimeoutMs: 50 });
    await notifier.flush(); // the driver is open (its schema made) before the lock is taken
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    for (const payload of points('55555555-0000-4000-8000-000000000006', 4)) notifier(payload);
    await notifier.flush();
    other.exec('COMMIT');
    other.close();
    assert.equal(notifier.stats().failed, 4);
    for (const payload of points('55555555-0000-4000-8000-000000000007', 4)) notifier(payload);
    await notifier.shutdown();
    assert.equal(notifier.stats().written, 4);
    assert.equal(rowCount(path), 4);
  });

  it('close() waits for the writes in flight', async () => {
    const path = dbPath('close');
    const driver = createSqliteDriver(`sqlite:///${path}`);
    for (let b = 0; b < 5; b++) void driver.notifyBatch(points(`55555555-0000-4000-8000-00000000001${b}`, 100));
    await driver.close();
    assert.equal(rowCount(path), 500);
    assert.throws(() => driver.notifyBatch(points('55555555-0000-4000-8000-000000000020', 1)), DriverUnavailableError);
  });

  it(
    "on Linux the writer thread runs at a lower priority, the event loop at the process's",
    { skip: process.platform !== 'linux' },
    async () => {
      const niceOf = (tid: string): number => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]); // field 19: nice
      };
      const before = new Set(readdirSync('/proc/self/task'));
      const mainNice = niceOf(String(process.pid));
      const driver = createSqliteDriver(`sqlite:///${dbPath('nice')}`);
      await driver.notifyBatch(points('55555555-0000-4000-8000-000000000040', 2));
      const started = readdirSync('/proc/self/task').filter((tid) => !before.has(tid));
      const nices = started.map(niceOf);
      await driver.close();
      assert.equal(niceOf(String(process.pid)), mainNice, 'the event loop keeps its priority');
      assert.ok(
        nices.includes(Math.max(15, mainNice)),
        `a new thread runs at nice 15 (new threads: ${nices.join(', ')})`,
      );
    },
  );

  it('a process exits on its own once its writes are done, and a pending write holds it until committed', async () => {
    const path = dbPath('exit');
    const script = join(dir, 'exit-writer.mts');
    const driverUrl = pathToFileURL(join(root, 'src', 'drivers', 'sqlite', 'driver.ts')).href;
    // The child waits for a first write (the thread is up), then posts a second one and returns
    // without awaiting it or closing anything.
    writeFileSync(
      script,
      `import { createSqliteDriver } from ${JSON.stringify(driverUrl)};
const driver = createSqliteDriver('sqlite:///' + process.argv[2]);
const batch = (k) => Array.from({ length: 2000 }, (_, i) => {
  const id = '66666666-0000-4000-8000-' + String(k * 10000 + i).padStart(12, '0');
  return { name: 'x-start', base_id: id, trace_id: id, parent_id: id, timestamp: '2024-01-01T00:00:00.000000', info: {} };
});
await driver.notifyBatch(batch(0));
void driver.notifyBatch(batch(1));
`,
    );
    const started = Date.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, path], { cwd: root, stdio: 'ignore' });
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error('the child process did not exit: the idle writer thread kept it alive'));
      }, 20_000);
      child.on('error', reject);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    assert.equal(code, 0);
    assert.equal(rowCount(path), 4000, `all rows committed before exit (${Date.now() - started} ms)`);
  });
});
