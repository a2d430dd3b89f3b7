// Trace overviews on PostgreSQL and MariaDB (trace list's columns, the trace browser's filters): the
// same summaries the SQLite store computes from the same rows, odd rows included.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/drivers/builtin.js';
import { main } from '../../src/cli/main.js';
import { createDriver } from '../../src/drivers/driver.js';
import type { SqlDriver } from '../../src/drivers/sql/index.js';
import { createSqliteDriver, type SqliteDriver } from '../../src/drivers/sqlite/driver.js';
import { loadSqlite } from '../../src/drivers/sqlite/library.js';
import { formatTimestamp } from '../../src/propagation/timestamp.js';
import type { Notification } from '../../src/core/payload.js';
import { memoryIo } from '../helpers/cli-io.js';
import { mysqlAdmin, pgAdmin } from '../helpers/sql-admin.js';
import { requireService } from '../helpers/services.js';

const DB = 'osprofiler_test_overview';
const work = mkdtempSync(join(tmpdir(), 'osp-overview-'));
after(() => rmSync(work, { recursive: true, force: true }));

const servers = [
  {
    name: 'PostgreSQL',
    url: `postgresql://postgres@127.0.0.1:5432/${DB}`,
    admin: (sql: string) => pgAdmin(sql),
    table: 'data',
    literal: (text: string) => `'${text.replace(/'/g, "''")}'`,
    inDb: (sql: string) => pgAdmin(sql, DB),
    gate: await requireService('PostgreSQL on 127.0.0.1:5432', () => pgAdmin('SELECT 1')),
  },
  {
    name: 'MariaDB',
    url: `mysql+pymysql://root@127.0.0.1:3306/${DB}`,
    admin: mysqlAdmin,
    table: `${DB}.data`,
    // why: MariaDB reads backslashes in string literals as escapes
    literal: (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`,
    inDb: mysqlAdmin,
    gate: await requireService('MariaDB/MySQL on 127.0.0.1:3306', () => mysqlAdmin('SELECT 1')),
  },
];

const t0 = Date.UTC(2026, 0, 2, 3, 4, 5) * 1000;
const id = (trace: number, n: number): string =>
  `${trace.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** One point of trace `trace` (start and stop), `startMs` after t0, lasting `ms`. */
function point(
  trace: number,
  n: number,
  startMs: number,
  ms: number,
  who: { project?: string; service?: string },
  stopInfo: Record<string, unknown> = {},
): Notification[] {
  const common = { base_id: id(trace, 0), trace_id: id(trace, n), parent_id: id(trace, 0), ...who };
  return [
    { ...common, name: 'db-start', timestamp: formatTimestamp(t0 + startMs * 1000), info: { n } },
    { ...common, name: 'db-stop', timestamp: formatTimestamp(t0 + (startMs + ms) * 1000), info: stopInfo },
  ];
}

/** Traces whose summaries differ in every field: errors of every kind, services with one name unset, ties. */
const NOTIFICATIONS: Notification[] = [
  ...point(1, 1, 0, 40, { project: 'nova', service: 'api' }),
  ...point(1, 2, 5, 10, { project: 'nova', service: 'api' }, { etype: 'KeyError', message: 'k' }),
  ...point(2, 1, 100, 3, { service: 'worker' }),
  ...point(2, 2, 101, 1, { project: 'glance' }),
  ...point(2, 3, 102, 1, {}),
  ...point(3, 1, 200, 7, { project: 'cinder', service: 'volume' }, { etype: 42 }),
  ...point(3, 2, 201, 2, { project: 'cinder', service: 'volume' }, { etype: 'ValueError' }),
  ...point(4, 1, 300, 1, { project: 'nova', service: 'compute' }, { message: 'no etype here' }),
  ...point(5, 1, 300, 9, { project: 'nova', service: 'compute' }, { etype: null }),
];

/** Rows only another writer leaves: a stop whose `data` is not the double encoding. */
const RAW_ROWS: { trace: number; name: string; data: string }[] = [
  { trace: 4, name: 'odd-stop', data: JSON.stringify('not json, but it says etype') },
  { trace: 5, name: 'odd-stop', data: '{"info": {"etype": "OnceEncoded"}}' },
  { trace: 4, name: 'odd-start', data: JSON.stringify(JSON.stringify({ info: { etype: 'NotAStop' } })) },
  // why: MariaDB's LIKE ignores case; a stop is a name ending in lowercase "stop", as in SQLite
  { trace: 4, name: 'odd-STOP', data: JSON.stringify(JSON.stringify({ info: { etype: 'NotAStopEither' } })) },
];

function rawInsert(
  row: (typeof RAW_ROWS)[number],
  table = 'data',
  literal = (text: string) => `'${text.replace(/'/g, "''")}'`,
): string {
  return `INSERT INTO ${table} (timestamp, base_id, parent_id, trace_id, project, host, service, name, data)
    VALUES ('${formatTimestamp(t0 + 350_000)}', '${id(row.trace, 0)}', '${id(row.trace, 0)}', '${id(row.trace, 99)}',
    'nova', 'h', 'compute', '${row.name}', ${literal(row.data)})`;
}

let sqlite: SqliteDriver;
before(async () => {
  const file = join(work, 'reference.db');
  sqlite = createSqliteDriver(`sqlite:///${file}`, { writer: 'inline' });
  await sqlite.notifyBatch(NOTIFICATIONS);
  const Database = loadSqlite();
  const db = new Database(file);
  for (const row of RAW_ROWS) db.exec(rawInsert(row));
  db.close();
});
after(() => sqlite?.close());

for (const server of servers) {
  describe(`trace overviews on a real ${server.name}`, { skip: server.gate.skip }, () => {
    let driver: SqlDriver;

    before(async () => {
      await server.admin(`DROP DATABASE IF EXISTS ${DB}`);
      await server.admin(`CREATE DATABASE ${DB}`);
      driver = (await createDriver(server.url)) as SqlDriver;
      await driver.notifyBatch(NOTIFICATIONS);
      for (const row of RAW_ROWS) await server.inDb(rawInsert(row, server.table, server.literal));
    });
    after(async () => {
      await driver?.close();
      await server.admin(`DROP DATABASE IF EXISTS ${DB}`).catch(() => {});
    });

    it('summarises each trace as the SQLite store does from the same rows', async () => {
      const overviews = await driver.listTraceOverviews();
      assert.deepEqual(overviews, await sqlite.listTraceOverviews());
      assert.deepEqual(
        overviews.map((o) => [o.base_id, o.durationMs, o.spans, o.notifications, o.services, o.error]),
        [
          [id(1, 0), 40, 2, 4, ['nova-api'], 'KeyError'],
          [id(2, 0), 3, 3, 6, ['glance', 'worker'], null],
          [id(3, 0), 7, 2, 4, ['cinder-volume'], 'ValueError'],
          [id(4, 0), 50, 2, 5, ['nova-compute'], null],
          [id(5, 0), 50, 2, 3, ['nova-compute'], 'OnceEncoded'],
        ],
      );
    });

    it('lists the most recent traces, the traces with an error, and counts them, as SQLite does', async () => {
      for (const options of [{ limit: 2 }, { limit: 0 }, { errorsOnly: true }, { errorsOnly: true, limit: 1 }])
        assert.deepEqual(
          await driver.listTraceOverviews(options),
          await sqlite.listTraceOverviews(options),
          JSON.stringify(options),
        );
      assert.equal(await driver.countTraces(), 5);
      assert.deepEqual(await driver.listErrorTraces(), await sqlite.listErrorTraces());
    });

    it('trace list shows the duration, points, services and error columns', async () => {
      const io = memoryIo(work);
      assert.equal(await main(['trace', 'list', '--connection-string', server.url, '--limit', '3'], io), 0);
      const lines = io.out.trim().split('\n');
      assert.match(lines[1]!, /base_id .*timestamp .*duration .*points .*services .*error/);
      const rows = lines.filter((line) => /^\| [0-9a-f]{8}-/.test(line));
      assert.equal(rows.length, 3);
      assert.match(rows[0]!, new RegExp(`${id(3, 0)} .* 7 ms .* 2 .* cinder-volume .* ValueError`));
    });

    it('reads an empty store (no table yet) as no traces', async () => {
      await server.inDb(`DROP TABLE ${server.table}`);
      assert.deepEqual(await driver.listTraceOverviews(), []);
      assert.equal(await driver.countTraces(), 0);
    });
  });
}
