// Hostile and extreme traces at the edges of `trace show` and the ui API: a 20,000-deep chain,
// info nested 5,000 deep, control characters in names. Each renders or fails with one specific line.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createUiListener, LOOPBACK_HOSTS } from '../../src/browser/server.js';
import { loadSqlite } from '../../src/drivers/sqlite/library.js';
import { createSqliteDriver, type SqliteDriver } from '../../src/drivers/sqlite/driver.js';
import type { Notification } from '../../src/core/payload.js';
import { bin, ensureBuilt } from '../helpers/built-bin.js';

const Database = loadSqlite();

before(ensureBuilt);
const work = mkdtempSync(join(tmpdir(), 'osp-edges-'));
after(() => rmSync(work, { recursive: true, force: true }));
const path = join(work, 'edges.db');

const CHAIN = 'aaaaaaaa-0000-4000-8000-000000000001';
const DEEP_INFO = 'aaaaaaaa-0000-4000-8000-000000000003';
const CONTROL = 'aaaaaaaa-0000-4000-8000-000000000004';
const DEPTH = 20_000;

async function makeStore(): Promise<void> {
  const driver = createSqliteDriver(`sqlite:///${path}`, { writer: 'inline' });
  const rows: Notification[] = [];
  const ids: [string, string][] = [];
  let parent = CHAIN;
  for (let i = 0; i < DEPTH; i++) {
    const id = `bbbbbbbb-0000-4000-8000-${String(i).padStart(12, '0')}`;
    ids.push([id, parent]);
    parent = id;
  }
  const at = (s: number, i: number): string => `2024-01-01T00:00:0${s}.${String(i).padStart(6, '0')}`;
  ids.forEach(([id, p], i) =>
    rows.push({
      name: 'chain-start',
      base_id: CHAIN,
      trace_id: id,
      parent_id: p,
      timestamp: at(0, i),
      info: { host: 'h' },
    }),
  );
  ids.forEach(([id, p], i) =>
    rows.push({
      name: 'chain-stop',
      base_id: CHAIN,
      trace_id: id,
      parent_id: p,
      timestamp: at(1, DEPTH - i),
      info: { host: 'h' },
    }),
  );
  const c = 'cccccccc-0000-4000-8000-000000000004';
  rows.push({
    name: 'evil\u0007\u001b[31m-start',
    base_id: CONTROL,
    trace_id: c,
    parent_id: CONTROL,
    timestamp: at(0, 0),
    info: { host: 'h' },
    service: 'svc\u001b]0;x\u0007',
  });
  rows.push({
    name: 'evil\u0007\u001b[31m-stop',
    base_id: CONTROL,
    trace_id: c,
    parent_id: CONTROL,
    timestamp: at(0, 5),
    info: { host: 'h' },
    service: 'svc\u001b]0;x\u0007',
  });
  await driver.notifyBatch(rows);
  await driver.close();
  // why: our own driver refuses to encode info this deep (counted as unwritable), so the row is
  // written as another writer could have: Python's double-encoded `data` column.
  const db = new Database(path);
  const deep = `${'{"n": '.repeat(5000)}{}${'}'.repeat(5000)}`;
  const t = 'cccccccc-0000-4000-8000-000000000003';
  const insert = db.prepare(
    'INSERT INTO data (timestamp, base_id, parent_id, trace_id, host, name, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  insert.run(
    at(0, 0),
    DEEP_INFO,
    DEEP_INFO,
    t,
    'h',
    'deep-start',
    JSON.stringify(`{"info": {"host": "h", "deep": ${deep}}}`),
  );
  insert.run(at(0, 9), DEEP_INFO, DEEP_INFO, t, 'h', 'deep-stop', JSON.stringify('{"info": {"host": "h"}}'));
  db.close();
}

function show(id: string, format: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(
    process.execPath,
    [bin, 'trace', 'show', id, ...format, '--connection-string', `sqlite:///${path}`],
    {
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 512 * 1024 * 1024,
      env: { PATH: process.env.PATH ?? '', HOME: work, NO_COLOR: '1' },
    },
  );
}

describe('trace show at the edges', () => {
  before(makeStore);

  it('a 20,000-deep chain with --json fails with one specific line (exit 1), not "Invalid string length"', () => {
    const r = show(CHAIN, ['--json']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /too deeply nested to write as indented JSON \(points nested 20000 levels deep\).*--trace-event/,
    );
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /Invalid string length|unexpected error|\n\s+at /);
  });

  it('the same chain renders as a tree and as trace events', () => {
    const tree = show(CHAIN, []);
    assert.equal(tree.status, 0, tree.stderr);
    const events = show(CHAIN, ['--trace-event']);
    assert.equal(events.status, 0, events.stderr);
    const doc = JSON.parse(events.stdout) as { traceEvents: { ph: string }[] };
    assert.equal(doc.traceEvents.filter((e) => e.ph === 'X').length, DEPTH);
  });

  it('info nested 5,000 deep renders with --trace-event (deeper levels noted as left out)', () => {
    const r = show(DEEP_INFO, ['--trace-event']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /nested deeper than 64 levels: left out/);
    assert.ok(JSON.parse(r.stdout));
  });

  it('--dot escapes control characters in labels as the tree does', () => {
    const dot = show(CONTROL, ['--dot']);
    assert.equal(dot.status, 0, dot.stderr);
    assert.doesNotMatch(dot.stdout, /[\u0000-\u0008\u000b-\u001f\u007f]/, 'no raw control characters');
    assert.match(dot.stdout, /evil\\\\x07\\\\x1b\[31m/);
    const tree = show(CONTROL, []);
    assert.match(tree.stdout, /evil\\x07\\x1b\[31m/);
  });
});

describe('the ui API at the edges', () => {
  let server: Server;
  let driver: SqliteDriver;
  before(async () => {
    driver = createSqliteDriver(`sqlite:///${path}`, { readonly: true });
    server = createServer(
      createUiListener({ store: { description: 'edges', reader: async () => driver }, allowedHosts: LOOPBACK_HOSTS }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await driver.close();
  });

  it('answers a trace too deep for JSON with a clear error, not a 502', async () => {
    const { port } = server.address() as AddressInfo;
    const reply = await fetch(`http://127.0.0.1:${port}/api/traces/${CHAIN}`);
    assert.equal(reply.status, 413);
    const body = (await reply.json()) as { error: string };
    assert.match(body.error, /too deeply nested/);
  });
});
