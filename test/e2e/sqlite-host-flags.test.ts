// The SQLite store in services started however their owners start them: the writer thread does not
// depend on the host's flags, SIGTERM keeps every queued row, and a host without threads writes inline.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { loadSqlite } from '../../src/drivers/sqlite/library.js';
import { ensureBuilt, root } from '../helpers/built-bin.js';

const Database = loadSqlite();

before(ensureBuilt);
const work = mkdtempSync(join(tmpdir(), 'osp-host-flags-'));
after(() => rmSync(work, { recursive: true, force: true }));

const indexUrl = pathToFileURL(join(root, 'dist', 'src', 'index.js')).href;
const SPANS = 50_000;

/**
 * A traced service's code: queues `SPANS` spans (no write before the signal), says ready, idles
 * (or, with `idle` false, lets the process end on its own).
 */
function serviceCode(path: string, idle = true): string {
  return `import { createNotifier, setNotifier, flushOnExit, runWithProfiler, Profiler, start, stop } from ${JSON.stringify(indexUrl)};
setNotifier(createNotifier(${JSON.stringify(`sqlite:///${path}`)}, { flushIntervalMs: 60_000, maxQueueSize: ${4 * SPANS} }));
flushOnExit();
runWithProfiler(new Profiler('k'), () => { for (let i = 0; i < ${SPANS}; i++) { start('work'); stop(); } });
${idle ? 'setInterval(() => {}, 1000);' : ''}
console.log('ready');
`;
}

interface Ended {
  code: number | null;
  signal: string | null;
  stderr: string;
}

/** Starts `node <args>`, sends SIGTERM once it prints "ready", and reports how it ended. */
function runUntilSigterm(args: string[]): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.stdout.once('data', () => child.kill('SIGTERM'));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the service did not end within 60 s; stderr: ${stderr}`));
    }, 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

function rowsIn(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM data').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('the SQLite store under the host’s own process flags', () => {
  it('SIGTERM with 50k spans queued keeps all 100k rows in a service started from a file', async () => {
    const path = join(work, 'file.db');
    const script = join(work, 'service.mjs');
    writeFileSync(script, serviceCode(path));
    const ended = await runUntilSigterm([script]);
    assert.equal(ended.signal, 'SIGTERM', ended.stderr);
    assert.equal(rowsIn(path), 2 * SPANS, ended.stderr);
  });

  it('SIGTERM with 50k spans queued keeps all 100k rows in a service started as `node --input-type=module -e`', async () => {
    const path = join(work, 'eval.db');
    const ended = await runUntilSigterm(['--input-type=module', '-e', serviceCode(path)]);
    assert.equal(ended.signal, 'SIGTERM', ended.stderr);
    assert.doesNotMatch(ended.stderr, /failed/, 'no batch failed');
    assert.equal(rowsIn(path), 2 * SPANS, ended.stderr);
  });

  // why: the permission model forbids worker threads unless --allow-worker is given, a real host
  // setting under which the writer thread cannot start.
  const permission = [
    Number(process.versions.node.split('.')[0]) >= 22 ? '--permission' : '--experimental-permission',
    '--allow-fs-read=*',
    '--allow-fs-write=*',
    '--allow-addons',
  ];

  it('a host that may not start threads (permission model) keeps all 100k rows on SIGTERM, written inline', async () => {
    const path = join(work, 'no-threads.db');
    const ended = await runUntilSigterm([...permission, '--input-type=module', '-e', serviceCode(path)]);
    assert.equal(ended.signal, 'SIGTERM', ended.stderr);
    assert.equal(rowsIn(path), 2 * SPANS, ended.stderr);
  });

  it('a host that may not start threads says so once and writes every row inline', () => {
    const path = join(work, 'no-threads-quiet.db');
    const out = spawnSync(process.execPath, [...permission, '--input-type=module', '-e', serviceCode(path, false)], {
      cwd: work,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(out.status, 0, out.stderr);
    assert.equal(rowsIn(path), 2 * SPANS, out.stderr);
    const warnings = out.stderr.split('\n').filter((line) => line.includes('writer thread could not start'));
    assert.equal(warnings.length, 1, out.stderr);
    assert.doesNotMatch(out.stderr, /failed/, 'no batch failed');
  });
});
