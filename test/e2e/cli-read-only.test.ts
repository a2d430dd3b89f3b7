// Reading never writes: the built CLI on files that are not trace stores, damaged stores and a
// store in a folder it cannot write; files compared byte for byte (and mtime) before and after.
import { strict as assert } from 'node:assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { loadSqlite } from '../../src/drivers/sqlite/library.js';
import { createSqliteDriver } from '../../src/drivers/sqlite/driver.js';
import type { Notification } from '../../src/core/payload.js';
import { bin, ensureBuilt } from '../helpers/built-bin.js';

const Database = loadSqlite();

before(ensureBuilt);
const work = mkdtempSync(join(tmpdir(), 'osp-read-only-'));
chmodSync(work, 0o755);
after(() => rmSync(work, { recursive: true, force: true }));

const BASE = '77777777-0000-4000-8000-000000000001';
const SPANS = 3000;

/** A store of one trace with SPANS spans (rows padded so the file spans many pages). */
async function makeStore(path: string): Promise<void> {
  const driver = createSqliteDriver(`sqlite:///${path}`, { writer: 'inline' });
  const rows: Notification[] = [];
  for (let i = 0; i < SPANS; i++) {
    const id = `77777777-1111-4000-8000-${String(i).padStart(12, '0')}`;
    const at = String(i).padStart(6, '0');
    rows.push(
      {
        name: 'work-start',
        base_id: BASE,
        trace_id: id,
        parent_id: BASE,
        timestamp: `2024-01-01T00:00:00.${at}`,
        info: { host: 'h', pad: 'x'.repeat(200) },
      },
      {
        name: 'work-stop',
        base_id: BASE,
        trace_id: id,
        parent_id: BASE,
        timestamp: `2024-01-01T00:00:01.${at}`,
        info: { host: 'h' },
      },
    );
  }
  await driver.notifyBatch(rows);
  await driver.close();
}

interface Snapshot {
  files: string[];
  bytes: Buffer;
  mtimeMs: number;
}
function snapshot(path: string, dir: string): Snapshot {
  return { files: readdirSync(dir).sort(), bytes: readFileSync(path), mtimeMs: statSync(path).mtimeMs };
}
function assertUntouched(before: Snapshot, path: string, dir: string): void {
  const now = snapshot(path, dir);
  assert.ok(now.bytes.equals(before.bytes), `${path} changed`);
  assert.equal(now.mtimeMs, before.mtimeMs, `${path} was written`);
  assert.deepEqual(now.files, before.files, 'no file was created beside it');
}

/**
 * The Node binary an unprivileged user can run.
 * why: a Node that npx fetched lives under root's private home (CI's Node 24 run), where "nobody"
 * cannot reach it; the system's node then runs the same built CLI.
 */
function nodeFor(uid: number | undefined): string {
  if (uid === undefined) return process.execPath;
  const probe = spawnSync(process.execPath, ['-e', '0'], { uid, gid: uid });
  return probe.status === 0 ? process.execPath : '/usr/bin/node';
}

function cli(args: string[], options: { uid?: number } = {}): SpawnSyncReturns<string> {
  const env = { PATH: process.env.PATH ?? '', HOME: work, NO_COLOR: '1' };
  return spawnSync(nodeFor(options.uid), [bin, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
    env,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
}
const cs = (path: string): string[] => ['--connection-string', `sqlite:///${path}`];

/** One line of error, exit 1, no stack trace, nothing about servers. */
function assertOneLineFailure(out: SpawnSyncReturns<string>, pattern: RegExp): void {
  assert.equal(out.status, 1, out.stderr);
  assert.match(out.stderr, pattern);
  assert.equal(out.stderr.trim().split('\n').length, 1, out.stderr);
  assert.doesNotMatch(out.stderr, /\n\s+at /, 'no stack trace');
  assert.doesNotMatch(out.stderr, /running and reachable/, 'a file is not a server');
}

describe('reading a store never writes to it', () => {
  const dir = join(work, 'not-stores');
  mkdirSync(dir);
  const empty = join(dir, 'empty.db');
  const other = join(dir, 'other-app.db');
  const garbage = join(dir, 'garbage.db');
  before(() => {
    writeFileSync(empty, '');
    const db = new Database(other);
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada')");
    db.close();
    writeFileSync(garbage, Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)));
  });

  for (const [label, file] of [
    ['a zero-byte file', () => empty],
    ['another application’s SQLite file', () => other],
  ] as const) {
    it(`trace list, trace show and ui on ${label} say "no trace store here" and leave it as it was`, () => {
      const path = file();
      const before = snapshot(path, dir);
      assertOneLineFailure(cli(['trace', 'list', ...cs(path)]), /no trace store here/i);
      assertOneLineFailure(cli(['trace', 'show', BASE, ...cs(path)]), /no trace store here/i);
      assertOneLineFailure(cli(['ui', '--port', '0', ...cs(path)]), /no trace store here/i);
      assertUntouched(before, path, dir);
    });
  }

  it('a file of garbage bytes gets one line, exit 1, and stays as it was', () => {
    const before = snapshot(garbage, dir);
    assertOneLineFailure(cli(['trace', 'list', ...cs(garbage)]), /no trace store here.*not a database/i);
    assertOneLineFailure(cli(['trace', 'show', BASE, ...cs(garbage)]), /no trace store here/i);
    assertUntouched(before, garbage, dir);
  });
});

describe('damaged stores and hostile rows', () => {
  const dir = join(work, 'damaged');
  mkdirSync(dir);
  const good = join(dir, 'good.db');
  before(() => makeStore(good));

  it('a truncated store still shows the good spans of its trace, saying it is damaged', () => {
    const path = join(dir, 'truncated.db');
    copyFileSync(good, path);
    truncateSync(path, Math.floor(statSync(path).size / 4));
    const before = snapshot(path, dir);
    const show = cli(['trace', 'show', BASE, '--json', ...cs(path)]);
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stderr, /damaged/);
    assert.doesNotMatch(show.stderr, /\n\s+at /, 'no stack trace');
    const spans = (JSON.parse(show.stdout) as { children: unknown[] }).children.length;
    assert.ok(spans > 0 && spans < SPANS, `some but not all spans shown (${spans})`);
    const list = cli(['trace', 'list', ...cs(path)]);
    assert.ok(list.status === 0 || list.status === 1, `exit ${list.status}`);
    assert.doesNotMatch(list.stderr, /\n\s+at |running and reachable/);
    assert.deepEqual(snapshot(path, dir).bytes, before.bytes);
  });

  it('rows whose data column is not JSON are skipped; the other spans are shown', () => {
    const path = join(dir, 'bad-rows.db');
    copyFileSync(good, path);
    const db = new Database(path);
    db.prepare("UPDATE data SET data = '{not json' WHERE id IN (2, 4, 6)").run();
    db.prepare("UPDATE data SET data = x'00ff' WHERE id = 8").run();
    db.close();
    const show = cli(['trace', 'show', BASE, '--json', ...cs(path)]);
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stderr, /4 corrupt row/);
    const spans = (JSON.parse(show.stdout) as { children: unknown[] }).children.length;
    assert.equal(spans, SPANS, 'every span still shown (stops lost, starts kept)');
    const list = cli(['trace', 'list', ...cs(path)]);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, new RegExp(BASE));
  });
});

describe('a store in a folder this user cannot write', () => {
  it('is read (list and show), and nothing is created beside it', async () => {
    const dir = join(work, 'read-only-folder');
    mkdirSync(dir);
    const path = join(dir, 'traces.db');
    await makeStore(path);
    chmodSync(path, 0o644);
    chmodSync(dir, 0o555);
    after(() => chmodSync(dir, 0o755));
    // why: root writes anywhere; the CLI then runs as "nobody", for whom the folder is read-only.
    const as = process.getuid?.() === 0 ? { uid: 65534 } : {};
    const before = snapshot(path, dir);
    const list = cli(['trace', 'list', ...cs(path)], as);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${BASE}.*${SPANS}`));
    const show = cli(['trace', 'show', BASE, '--json', ...cs(path)], as);
    assert.equal(show.status, 0, show.stderr);
    assert.equal((JSON.parse(show.stdout) as { children: unknown[] }).children.length, SPANS);
    assertUntouched(before, path, dir);
  });
});
