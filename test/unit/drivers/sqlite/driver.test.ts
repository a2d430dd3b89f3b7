// The SQLite driver: connection strings, schema and pragmas, batched writes, indexed reads, several writer processes.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadSqlite } from '../../../../src/drivers/sqlite/library.js';
import {
  defaultConnectionString,
  defaultStorePath,
  describeStore,
  parseSqliteConnectionString,
} from '../../../../src/drivers/sqlite/default-location.js';
import { createDriver, registerDriver } from '../../../../src/drivers/driver.js';
import { SqliteDriver, createSqliteDriver } from '../../../../src/drivers/sqlite/driver.js';
import { BadConnectionStringError, DriverUnavailableError } from '../../../../src/errors.js';
import { setLogSink } from '../../../../src/log.js';
import type { Notification } from '../../../../src/core/payload.js';

const Database = loadSqlite();

const logged: string[] = [];
setLogSink((_level, message) => void logged.push(message));
after(() => setLogSink(undefined));

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'osp-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function dbPath(name: string): string {
  return join(dir, `${name}-${++counter}.db`);
}

function uuid(n: number, prefix = '00000000'): string {
  return `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function span(
  baseId: string,
  n: number,
  startUs: number,
  durationUs: number,
  info: Record<string, unknown> = {},
): Notification[] {
  const ts = (us: number): string =>
    `2024-05-14T09:30:${String(Math.floor(us / 1e6)).padStart(2, '0')}.${String(us % 1e6).padStart(6, '0')}`;
  const traceId = uuid(n, '11111111');
  return [
    {
      name: 'db-start',
      base_id: baseId,
      trace_id: traceId,
      parent_id: baseId,
      timestamp: ts(startUs),
      info: { ...info, host: 'h' },
    },
    {
      name: 'db-stop',
      base_id: baseId,
      trace_id: traceId,
      parent_id: baseId,
      timestamp: ts(startUs + durationUs),
      info: { host: 'h' },
    },
  ];
}

describe('sqlite connection strings', () => {
  it('parses SQLAlchemy forms: memory, relative to cwd, absolute, %-escapes and a query', () => {
    assert.deepEqual(
      [parseSqliteConnectionString('sqlite://')?.path, parseSqliteConnectionString('sqlite:///:memory:')?.memory],
      [':memory:', true],
    );
    assert.equal(parseSqliteConnectionString('sqlite:///rel/t.db', '/srv')?.path, '/srv/rel/t.db');
    assert.equal(parseSqliteConnectionString('sqlite:////var/lib/t.db')?.path, '/var/lib/t.db');
    assert.equal(parseSqliteConnectionString('sqlite:////tmp/a%20b.db')?.path, '/tmp/a b.db');
    assert.equal(parseSqliteConnectionString('sqlite:////tmp/t.db?mode=ro')?.params.get('mode'), 'ro');
    assert.equal(parseSqliteConnectionString('sqlite://host/t.db'), undefined);
    assert.equal(parseSqliteConnectionString('redis://x'), undefined);
  });

  it('the default store is traces.db under OSPROFILER_HOME, else ~/.local/share/osprofiler', () => {
    const env = { OSPROFILER_HOME: join(dir, 'home') };
    assert.equal(defaultStorePath(env), join(dir, 'home', 'traces.db'));
    assert.equal(defaultConnectionString(env), `sqlite:///${join(dir, 'home', 'traces.db')}`);
    assert.match(defaultStorePath({}), /\.local[\\/]share[\\/]osprofiler[\\/]traces\.db$/);
    assert.equal(describeStore(undefined, env), `SQLite file ${join(dir, 'home', 'traces.db')} (the default store)`);
    assert.equal(describeStore('sqlite://', env), 'SQLite in-memory database');
    assert.equal(describeStore('redis://:secret@h:6379', env), 'redis://:***@h:6379');
  });

  it('a string that is not SQLAlchemy SQLite form is a BadConnectionStringError', () => {
    assert.throws(() => createSqliteDriver('sqlite://somehost/x.db'), BadConnectionStringError);
  });

  it('reading a file that does not exist fails instead of creating it', () => {
    const path = dbPath('absent');
    assert.throws(() => createSqliteDriver(`sqlite:///${path}`, { fileMustExist: true }), DriverUnavailableError);
    assert.equal(existsSync(path), false);
  });

  it('is reachable through registerDriver/createDriver', async () => {
    registerDriver('sqlite', (cs, options) => createSqliteDriver(cs, options));
    const driver = await createDriver('sqlite://', { project: 'p' });
    assert.ok(driver instanceof SqliteDriver);
    assert.equal(driver.describe(), 'SQLite in-memory database');
    await driver.close();
  });
});

describe('SqliteDriver schema and writes', () => {
  it('creates a private folder and file, in WAL mode', () => {
    const path = join(dir, 'new-folder', 'deeper', 'traces.db');
    const driver = createSqliteDriver(`sqlite:///${path}`);
    driver.close();
    assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const db = new Database(path);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  });

  it('stores a batch in one transaction with project, service and host from the options', async () => {
    const path = dbPath('batch');
    const driver = createSqliteDriver(`sqlite:///${path}`, { project: 'nova', service: 'api', host: 'ctl-01' });
    const base = uuid(1);
    await driver.notifyBatch([...span(base, 1, 0, 1500), ...span(base, 2, 2000, 10)]);
    await driver.close();
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT project, service, host, name FROM data ORDER BY id').all();
    db.close();
    assert.equal(rows.length, 4);
    assert.deepEqual(rows[0], { project: 'nova', service: 'api', host: 'ctl-01', name: 'db-start' });
  });

  it('a notification that cannot be encoded is left out and counted, the rest of the batch stored', async () => {
    const driver = createSqliteDriver('sqlite://');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const base = uuid(2);
    const [start, stop] = span(base, 1, 0, 100);
    driver.notifyBatch([start, { ...stop, info: { host: 'h', circular } }, stop]);
    assert.equal(driver.stats.unwritable, 1);
    assert.ok(logged.some((m) => m.includes('could not be stored')));
    assert.equal((await driver.getReport(base)).children.length, 1);
    driver.close();
  });

  it('after close, writes throw (the notifier counts them as failed) and close is idempotent', () => {
    const driver = createSqliteDriver('sqlite://');
    driver.close();
    driver.close();
    assert.throws(() => driver.notifyBatch(span(uuid(3), 1, 0, 1)), DriverUnavailableError);
  });

  it('several processes write one file at the same time without losing a row', async () => {
    const path = dbPath('shared');
    const child = join(dir, 'writer.mts');
    const driverUrl = pathToFileURL(join(root, 'src', 'drivers', 'sqlite', 'driver.ts')).href;
    writeFileSync(
      child,
      `import { createSqliteDriver } from ${JSON.stringify(driverUrl)};
const [path, who] = process.argv.slice(2);
const driver = createSqliteDriver('sqlite:///' + path, { service: 'w' + who });
for (let b = 0; b < 20; b++) {
  const batch = [];
  for (let i = 0; i < 25; i++) {
    const id = '22222222-0000-4000-8000-' + String(b * 100 + i).padStart(12, '0');
    batch.push({ name: 'x-start', base_id: '33333333-0000-4000-8000-00000000000' + who, trace_id: id, parent_id: id,
      timestamp: '2024-01-01T00:00:00.' + String(b * 100 + i).padStart(6, '0'), info: { host: 'h' } });
  }
  driver.notifyBatch(batch);
}
driver.close();
`,
    );
    const run = (who: number): Promise<number> =>
      new Promise((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', child, path, String(who)], {
          cwd: root,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        p.stderr.on('data', (c: Buffer) => (err += c.toString()));
        p.on('error', reject);
        p.on('close', (code) =>
          code === 0 ? resolve(code) : reject(new Error(`writer ${who} exited ${code}: ${err}`)),
        );
      });
    await Promise.all([1, 2, 3].map(run));
    const reader = createSqliteDriver(`sqlite:///${path}`, { fileMustExist: true });
    const traces = await reader.listTraceOverviews();
    reader.close();
    assert.deepEqual(
      traces.map((t) => [t.services, t.notifications]),
      [
        [['w1'], 500],
        [['w2'], 500],
        [['w3'], 500],
      ],
    );
  });
});

describe('SqliteDriver reads', () => {
  const driver = createSqliteDriver('sqlite://', { project: 'nova', service: 'api' });
  const a = uuid(10);
  const b = uuid(11);
  const c = uuid(12);
  driver.notifyBatch([...span(b, 1, 5_000_000, 3000, { db: { statement: 'SELECT 1' } })]);
  driver.notifyBatch([...span(a, 2, 1_000_000, 2000), ...span(a, 3, 900_000, 50)]);
  const [cStart, cStop] = span(c, 4, 7_000_000, 10);
  driver.notifyBatch([cStart, { ...cStop, info: { host: 'h', etype: 'ValueError', message: 'bad' } }]);
  after(() => driver.close());

  it('an unknown trace gives the empty report Python gives', async () => {
    assert.deepEqual(await driver.getReport(uuid(99)), {
      info: { name: 'total', started: 0, finished: null, last_trace_started: null },
      children: [],
      stats: {},
    });
  });

  it('listTraces lists each trace once by its earliest notification, oldest first', async () => {
    assert.deepEqual(await driver.listTraces(), [
      { base_id: a, timestamp: '2024-05-14T09:30:00.900000' },
      { base_id: b, timestamp: '2024-05-14T09:30:05.000000' },
      { base_id: c, timestamp: '2024-05-14T09:30:07.000000' },
    ]);
  });

  it('listTraces projects other columns and data keys of that earliest row', async () => {
    const [first] = await driver.listTraces(['base_id', 'timestamp', 'trace_id', 'name', 'info']);
    assert.deepEqual(first, {
      base_id: a,
      timestamp: '2024-05-14T09:30:00.900000',
      trace_id: uuid(3, '11111111'),
      name: 'db-start',
      info: { host: 'h' },
    });
  });

  it('listErrorTraces finds traces whose stop carries info.etype', async () => {
    assert.deepEqual(await driver.listErrorTraces(), [{ base_id: c, timestamp: '2024-05-14T09:30:07.000000' }]);
  });

  it('trace overviews give duration, points, services and the error of each trace', async () => {
    const overviews = await driver.listTraceOverviews();
    assert.deepEqual(
      overviews.map((o) => [o.base_id, o.durationMs, o.spans, o.notifications, o.services, o.error]),
      [
        [a, 102, 2, 4, ['nova-api'], null],
        [b, 3, 1, 2, ['nova-api'], null],
        [c, 0, 1, 2, ['nova-api'], 'ValueError'],
      ],
    );
    assert.deepEqual(
      (await driver.listTraceOverviews({ limit: 1 })).map((o) => o.base_id),
      [c],
    );
    assert.equal(await driver.countTraces(), 3);
  });

  it('a corrupt row is skipped and counted; the report of the rest is built', async () => {
    const path = dbPath('corrupt');
    const writer = createSqliteDriver(`sqlite:///${path}`);
    const base = uuid(20);
    await writer.notifyBatch([...span(base, 1, 0, 1000), ...span(base, 2, 10, 20)]);
    await writer.close();
    const db = new Database(path);
    db.prepare("UPDATE data SET data = '{broken' WHERE id = 3").run();
    db.prepare(
      "INSERT INTO data (base_id, timestamp, name, trace_id, parent_id, data) VALUES (?, 'not a time', 'x-start', 'x', 'y', '\"{}\"')",
    ).run(base);
    db.close();
    const reader = createSqliteDriver(`sqlite:///${path}`, { fileMustExist: true });
    const report = await reader.getReport(base);
    assert.equal(reader.stats.lastReportSkipped, 2);
    assert.equal(report.children.length, 2);
    reader.close();
  });

  it('getReport and listTraces are single indexed queries (no table scan, covering index for the list)', () => {
    const path = dbPath('plans');
    createSqliteDriver(`sqlite:///${path}`).close();
    const db = new Database(path, { readonly: true });
    const plan = (sql: string, ...args: unknown[]): string =>
      db
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...args)
        .map((r) => r.detail)
        .join('; ');
    assert.match(
      plan('SELECT timestamp, data FROM data WHERE base_id = ? ORDER BY id', 'x'),
      /USING INDEX ix_data_base_id \(base_id=\?\)/,
    );
    assert.doesNotMatch(plan('SELECT timestamp, data FROM data WHERE base_id = ? ORDER BY id', 'x'), /TEMP B-TREE/);
    assert.match(
      plan(
        'SELECT base_id, MIN(timestamp) AS timestamp FROM data WHERE base_id IS NOT NULL GROUP BY base_id ORDER BY 2, 1',
      ),
      /COVERING INDEX ix_data_base_id_timestamp/,
    );
    db.close();
  });

  it('a trace of 40,000 notifications is reported in full', async () => {
    const big = createSqliteDriver(`sqlite:///${dbPath('big')}`);
    const base = uuid(30);
    for (let batch = 0; batch < 20; batch++) {
      const notifications: Notification[] = [];
      for (let i = 0; i < 1000; i++) notifications.push(...span(base, batch * 1000 + i, (batch * 1000 + i) * 10, 5));
      await big.notifyBatch(notifications);
    }
    const report = await big.getReport(base);
    await big.close();
    assert.equal(report.children.length, 20_000);
    assert.deepEqual(report.stats, { db: { count: 20_000, duration: 0 } });
  });
});
