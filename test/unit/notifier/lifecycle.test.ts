import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

// A child that registers a slow driver writing to a file, traces one span, and then ends.
const childCode = (file: string) => `
  import { appendFileSync } from 'node:fs';
  import { createNotifier, setNotifier, flushOnExit, runWithProfiler, Profiler, start, stop } from './src/index.ts';
  import { registerDriver } from './src/drivers/driver.ts';
  registerDriver('slowfile', () => ({
    scheme: 'slowfile',
    notifyBatch: async (batch) => { await new Promise((r) => setTimeout(r, 50)); appendFileSync(${JSON.stringify(file)}, batch.map((n) => n.name).join('\\n') + '\\n'); },
    getReport: async () => ({}), listTraces: async () => [], listErrorTraces: async () => [], describe: () => 'file', close: () => {},
  }));
  setNotifier(createNotifier('slowfile://', { flushIntervalMs: 60_000 }));
  flushOnExit();
  runWithProfiler(new Profiler('k'), () => { start('work'); stop(); });
`;

/** Runs `code` as an ES module in a child until it ends by itself; its exit status and stderr. */
function runToEnd(code: string): { status: number | null; stderr: string } {
  const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status: out.status, stderr: out.stderr };
}

/** Runs `code` in a child kept alive by an idle timer, sends it SIGTERM once it has run; how it ended. */
async function runUntilSigterm(code: string): Promise<{ code: number | null; signal: string | null }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', `${code}\nsetInterval(() => {}, 1000); console.log('ready');`],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGTERM');
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('flushOnExit', () => {
  it('writes what is queued when the event loop empties (beforeExit)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osp-exit-'));
    try {
      const file = join(dir, 'out.txt');
      const out = runToEnd(childCode(file));
      assert.equal(out.status, 0, out.stderr);
      assert.equal(readFileSync(file, 'utf8'), 'work-start\nwork-stop\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on SIGTERM flushes, then the process still ends by the signal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osp-exit-'));
    try {
      const file = join(dir, 'out.txt');
      const { code, signal } = await runUntilSigterm(childCode(file));
      assert.equal(signal, 'SIGTERM');
      assert.equal(code, null);
      assert.equal(readFileSync(file, 'utf8'), 'work-start\nwork-stop\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The SQLite store writes on its own thread: the flush must wait for that thread's commits.
  const sqliteChild = (path: string): string => `
    import { createNotifier, setNotifier, flushOnExit, runWithProfiler, Profiler, start, stop } from './src/index.ts';
    setNotifier(createNotifier('sqlite:///${path}', { flushIntervalMs: 60_000 }));
    flushOnExit();
    runWithProfiler(new Profiler('k'), () => { for (let i = 0; i < 3000; i++) { start('work'); stop(); } });
  `;
  const rowsIn = async (path: string): Promise<number> => {
    const Database = (await import('../../../src/drivers/sqlite/library.js')).loadSqlite();
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM data').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('with the SQLite store, every queued row is committed by its writer thread before the process ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osp-exit-'));
    try {
      const quiet = join(dir, 'quiet.db');
      const out = runToEnd(sqliteChild(quiet));
      assert.equal(out.status, 0, out.stderr);
      assert.equal(await rowsIn(quiet), 6000, 'beforeExit');
      const killed = join(dir, 'killed.db');
      const { signal } = await runUntilSigterm(sqliteChild(killed));
      assert.equal(signal, 'SIGTERM');
      assert.equal(await rowsIn(killed), 6000, 'SIGTERM');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
