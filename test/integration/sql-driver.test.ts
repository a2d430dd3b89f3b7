// SqlDriver against the real PostgreSQL (127.0.0.1:5432) and MariaDB (127.0.0.1:3306), in a database of its own.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2';
import pg from 'pg';
import { currentProfiler } from '../../src/core/context.js';
import { runWithProfiler } from '../../src/core/current.js';
import { registerDriver } from '../../src/drivers/driver.js';
import { SQL_SCHEMES, mysqlConnectionSettings, parseSqlUrl, pgPoolSettings } from '../../src/drivers/sql/url.js';
import {
  createSqlDriver,
  mysqlClient,
  pgClient,
  SqlDriver,
  type MysqlModule,
  type SqlClientLike,
} from '../../src/drivers/sql/index.js';
import { DriverUnavailableError } from '../../src/errors.js';
import { createNotifier } from '../../src/notifier/create.js';
import type { Notification } from '../../src/core/payload.js';
import { Profiler } from '../../src/core/profiler.js';
import { onChannelStart } from '../helpers/capture.js';
import { freePort, requireService } from '../helpers/services.js';
import { callEachDriverMethod } from '../helpers/driver-calls.js';
import { traceThroughNotifier } from '../helpers/notifier-roundtrip.js';
import { runTsModule, srcModule } from '../helpers/ts-child.js';
import { mysqlAdmin, pgAdmin } from '../helpers/sql-admin.js';

const DB = 'osprofiler_test';
for (const scheme of SQL_SCHEMES) registerDriver(scheme, createSqlDriver);

interface Server {
  name: string;
  url: (database: string) => string;
  admin: (sql: string) => Promise<Record<string, unknown>[]>;
  client: (database: string) => SqlClientLike;
  gate: { skip: string | false };
}

const servers: Server[] = [
  {
    name: 'PostgreSQL',
    url: (database) => `postgresql://postgres@127.0.0.1:5432/${database}`,
    admin: (sql) => pgAdmin(sql),
    client: (database) =>
      pgClient(new pg.Pool(pgPoolSettings(parseSqlUrl(`postgresql://postgres@127.0.0.1:5432/${database}`)))),
    gate: await requireService('PostgreSQL on 127.0.0.1:5432', () => pgAdmin('SELECT 1')),
  },
  {
    name: 'MariaDB',
    url: (database) => `mysql+pymysql://root@127.0.0.1:3306/${database}`,
    admin: mysqlAdmin,
    client: (database) =>
      mysqlClient(
        mysql as unknown as MysqlModule,
        mysqlConnectionSettings(parseSqlUrl(`mysql://root@127.0.0.1:3306/${database}`)),
      ),
    gate: await requireService('MariaDB/MySQL on 127.0.0.1:3306', () => mysqlAdmin('SELECT 1')),
  },
];

let seq = 0;
function note(
  baseId: string,
  name: string,
  timestamp?: string,
  info: Record<string, unknown> = {},
  traceId = randomUUID(),
): Notification {
  seq++;
  return {
    name,
    base_id: baseId,
    trace_id: traceId,
    parent_id: baseId,
    timestamp: timestamp ?? `2024-05-14T09:30:00.${String(seq).padStart(6, '0')}`,
    info: { ...info, host: 'info-host' },
  };
}

/** A client that records every statement and the profiler current when it was issued. */
function spy(inner: SqlClientLike): SqlClientLike & { statements: string[]; profilers: unknown[] } {
  const statements: string[] = [];
  const profilers: unknown[] = [];
  return {
    dialect: inner.dialect,
    statements,
    profilers,
    query(sql, params) {
      statements.push(sql);
      profilers.push(currentProfiler());
      return inner.query(sql, params);
    },
    close: () => inner.close(),
  };
}

for (const server of servers) {
  const pgDialect = server.name === 'PostgreSQL';

  describe(`SqlDriver with a real ${server.name}`, { skip: server.gate.skip }, () => {
    let client: ReturnType<typeof spy>;
    let driver: SqlDriver;
    const query = (sql: string): Promise<Record<string, unknown>[]> => client.query(sql);

    before(async () => {
      await server.admin(`DROP DATABASE IF EXISTS ${DB}`);
      await server.admin(`CREATE DATABASE ${DB}`);
      client = spy(server.client(DB));
      driver = new SqlDriver(client, { project: 'nova', service: 'api', host: 'ctl-01', label: server.name });
    });
    after(async () => {
      await driver?.close();
      await server.admin(`DROP DATABASE IF EXISTS ${DB}`).catch(() => {});
    });
    beforeEach(async () => {
      await driver.ensureSchema();
      await query('DELETE FROM data');
      client.statements.length = 0;
    });

    it("creates table data with Python's columns and ix_data_* indexes, and two drivers starting at once do not clash", async () => {
      await query('DROP TABLE data');
      const drivers = await Promise.all([1, 2, 3].map(() => createSqlDriver(server.url(DB))));
      try {
        await Promise.all([
          drivers[0]!.ensureSchema(),
          drivers[1]!.ensureSchema(),
          drivers[2]!.notifyBatch([note(randomUUID(), 'a-start')]),
        ]);
      } finally {
        for (const d of drivers) await d.close();
      }
      const columns = pgDialect
        ? await query(
            "SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = 'data' ORDER BY ordinal_position",
          )
        : await query(
            "SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'data' ORDER BY ordinal_position",
          );
      assert.deepEqual(
        columns.map((c) => c.name),
        ['id', 'timestamp', 'base_id', 'parent_id', 'trace_id', 'project', 'host', 'service', 'name', 'data'],
      );
      const indexes = pgDialect
        ? await query("SELECT indexname AS name FROM pg_indexes WHERE tablename = 'data'")
        : await query(
            "SELECT DISTINCT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'data'",
          );
      const names = new Set(indexes.map((i) => i.name));
      for (const column of ['base_id', 'host', 'name', 'parent_id', 'project', 'service', 'timestamp', 'trace_id']) {
        assert.ok(names.has(`ix_data_${column}`), `ix_data_${column}`);
      }
      assert.equal((await query('SELECT COUNT(*) AS n FROM data'))[0]!.n, pgDialect ? '1' : 1);
    });

    it('creates the table again when it disappears while running', async () => {
      await query('DROP TABLE data');
      const base = randomUUID();
      await driver.notifyBatch([note(base, 'a-start')]);
      assert.equal((await driver.getReport(base)).children.length, 1);
    });

    it('writes a batch with multi-row INSERTs of up to 500 rows', async () => {
      const base = randomUUID();
      await driver.notifyBatch(Array.from({ length: 1200 }, () => note(base, 'op-start')));
      const inserts = client.statements.filter((s) => s.startsWith('INSERT'));
      assert.equal(inserts.length, 3);
      const rows = await query(`SELECT COUNT(*) AS n FROM data WHERE base_id = '${base}'`);
      assert.equal(Number(rows[0]!.n), 1200);
    });

    it('stores the driver host and names in columns and the rest double-encoded in data', async () => {
      const base = randomUUID();
      const n = note(base, 'wsgi-start', '2024-05-14T09:30:12.345678', { request: { path: '/ünï' } });
      await driver.notifyBatch([n, { ...n, name: 'x-start', project: 'override', extra: [1, 2] }]);
      const rows = await query(
        `SELECT timestamp, base_id, parent_id, trace_id, project, host, service, name, ${pgDialect ? 'data::text' : 'CAST(data AS CHAR)'} AS data FROM data ORDER BY id`,
      );
      assert.deepEqual(rows[0], {
        timestamp: n.timestamp,
        base_id: base,
        parent_id: base,
        trace_id: n.trace_id,
        project: 'nova',
        host: 'ctl-01',
        service: 'api',
        name: 'wsgi-start',
        data: JSON.stringify('{"info": {"request": {"path": "/\\u00fcn\\u00ef"}, "host": "info-host"}}'),
      });
      assert.equal(rows[1]!.project, 'override');
      assert.equal(
        rows[1]!.data,
        JSON.stringify('{"info": {"request": {"path": "/\\u00fcn\\u00ef"}, "host": "info-host"}, "extra": [1, 2]}'),
      );
    });

    it('rebuilds a report from the rows, host from the column and raw payloads from data', async () => {
      const base = randomUUID();
      const traceId = randomUUID();
      await driver.notifyBatch([
        note(base, 'wsgi-start', '2024-05-14T09:30:00.000000', { request: { path: '/' } }, traceId),
        note(base, 'wsgi-stop', '2024-05-14T09:30:00.004500', { etype: 'KeyError', message: 'k' }, traceId),
      ]);
      const report = await driver.getReport(base);
      assert.deepEqual(report.info, { name: 'total', started: 0, finished: 4, last_trace_started: 0 });
      const node = report.children[0]!;
      assert.equal(node.info.host, 'ctl-01');
      assert.equal(node.info.exception, 'KeyError');
      assert.deepEqual(node.info['meta.raw_payload.wsgi-start'], {
        info: { request: { path: '/' }, host: 'info-host' },
      });
      assert.deepEqual(report.stats, { wsgi: { count: 1, duration: 4 } });
      assert.deepEqual((await driver.getReport(randomUUID())).children, []);
    });

    it('lists each trace by its earliest row, oldest first, with fields from columns and data', async () => {
      const a = randomUUID();
      const b = randomUUID();
      await driver.notifyBatch([
        note(a, 'late-start', '2024-05-14T09:30:00.500000'),
        note(b, 'b-start', '2024-05-14T09:29:00.000000'),
        note(a, 'early-start', '2024-05-14T09:30:00.100000', { request: { path: '/a' } }),
      ]);
      assert.deepEqual(await driver.listTraces(), [
        { base_id: b, timestamp: '2024-05-14T09:29:00.000000' },
        { base_id: a, timestamp: '2024-05-14T09:30:00.100000' },
      ]);
      const detailed = await driver.listTraces(['base_id', 'name', 'host', 'info', 'nope']);
      assert.deepEqual(detailed[1], {
        base_id: a,
        name: 'early-start',
        host: 'ctl-01',
        info: { request: { path: '/a' }, host: 'info-host' },
      });
    });

    it('lists the traces that have an error stop, by their start', async () => {
      const failing = randomUUID();
      const nullEtype = randomUUID();
      const wordOnly = randomUUID();
      await driver.notifyBatch([
        note(failing, 'rpc-start', '2024-05-14T09:31:00.000100'),
        note(failing, 'rpc-stop', '2024-05-14T09:31:00.000200', { etype: 'InstanceNotFound', message: 'x' }),
        note(nullEtype, 'rpc-stop', '2024-05-14T09:31:00.000200', { etype: null }),
        note(wordOnly, 'db-stop', '2024-05-14T09:31:00.000200', { db: { result: 'etype' } }),
        note(wordOnly, 'db-start', '2024-05-14T09:31:00.000100', { etype: 'not a stop' }),
      ]);
      assert.deepEqual(await driver.listErrorTraces(), [{ base_id: failing, timestamp: '2024-05-14T09:31:00.000100' }]);
    });

    it('queries outside the trace context, even when called inside one', async () => {
      const seen: unknown[] = [];
      const unsubscribe = onChannelStart('mysql2:query', () => seen.push(currentProfiler()));
      const profiler = new Profiler('key');
      client.profilers.length = 0;
      try {
        await runWithProfiler(profiler, async () => {
          assert.equal(currentProfiler(), profiler);
          await callEachDriverMethod(driver, note(randomUUID(), 'a-start'));
        });
      } finally {
        unsubscribe();
      }
      assert.ok(client.profilers.length >= 4);
      assert.ok(client.profilers.every((p) => p === undefined));
      if (!pgDialect) assert.ok(seen.length >= 4 && seen.every((p) => p === undefined));
    });

    it('stores what the profiler sends through the notifier', async () => {
      const base = await traceThroughNotifier(server.url(DB), {
        project: 'glance',
        service: 'api',
        host: 'node-9',
        flushIntervalMs: 5,
      });
      const report = await driver.getReport(base);
      assert.equal(report.children[0]!.info.host, 'node-9');
      assert.equal(report.children[0]!.children[0]!.info.name, 'db');
    });

    it('fails while its database is missing and writes (creating the table) once it exists', async () => {
      const late = `${DB}_late`;
      await server.admin(`DROP DATABASE IF EXISTS ${late}`);
      const lateDriver = await createSqlDriver(server.url(late));
      try {
        await assert.rejects(lateDriver.notifyBatch([note(randomUUID(), 'a-start')]), DriverUnavailableError);
        await server.admin(`CREATE DATABASE ${late}`);
        const base = randomUUID();
        await lateDriver.notifyBatch([note(base, 'b-start')]);
        assert.equal((await lateDriver.getReport(base)).children.length, 1);
      } finally {
        await lateDriver.close();
        await server.admin(`DROP DATABASE IF EXISTS ${late}`);
      }
    });

    it('does not keep a finished process alive with its idle connection', () => {
      const child = runTsModule(
        `import { createSqlDriver } from ${srcModule('drivers/sql/index.ts')};
const d = await createSqlDriver(${JSON.stringify(server.url(DB))}, {});
await d.notifyBatch([{ name: 'exit-start', base_id: 'exit-check', trace_id: 't', parent_id: 'exit-check', timestamp: '2024-01-01T00:00:00.000000', info: { host: 'h' } }]);
console.log((await d.getReport('exit-check')).children.length);
`,
        30_000,
      );
      assert.equal(child.stdout.trim(), '1', child.stderr);
      assert.equal(child.status, 0, child.stderr);
    });
  });
}

describe('SqlDriver when the server is down', () => {
  for (const scheme of ['postgresql', 'mysql']) {
    it(`fails a ${scheme} batch fast and the notifier counts it`, async () => {
      const port = await freePort();
      const url = `${scheme}://root@127.0.0.1:${port}/db`;
      const driver = await createSqlDriver(url);
      try {
        const t0 = performance.now();
        await assert.rejects(driver.notifyBatch([note(randomUUID(), 'a-start')]), DriverUnavailableError);
        await assert.rejects(driver.getReport('x'), DriverUnavailableError);
        assert.ok(performance.now() - t0 < 2000);
      } finally {
        await driver.close();
      }
      const notifier = createNotifier(url, { flushIntervalMs: 1 });
      try {
        for (let i = 0; i < 100; i++) notifier(note('down', 'a-start'));
        await notifier.flush();
        const stats = notifier.stats();
        assert.equal(stats.written, 0);
        assert.equal(stats.failed, 100);
      } finally {
        await notifier.shutdown();
      }
    });
  }
});
