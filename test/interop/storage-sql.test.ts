// fixtures/storage/sql.json in real PostgreSQL and MariaDB: Python's rows read by our driver, our rows equal to Python's.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2';
import pg from 'pg';
import { mysqlConnectionSettings, parseSqlUrl, pgPoolSettings } from '../../src/drivers/sql/url.js';
import { mysqlClient, pgClient, SqlDriver, type MysqlModule, type SqlClientLike } from '../../src/drivers/sql/index.js';
import type { Notification } from '../../src/core/payload.js';
import { loadFixture } from '../helpers/fixtures.js';
import { requireService } from '../helpers/services.js';
import { mysqlAdmin, pgAdmin } from '../helpers/sql-admin.js';

const DB = 'osprofiler_interop';
const fixture = loadFixture('storage/sql.json');
const T1 = 'c0ffee00-0000-4000-8000-000000000001';
const COLUMNS = ['id', 'timestamp', 'base_id', 'parent_id', 'trace_id', 'project', 'host', 'service', 'name', 'data'];

interface Server {
  name: 'PostgreSQL' | 'MariaDB';
  admin: (sql: string) => Promise<unknown>;
  client: () => SqlClientLike;
  /** SQL that reads the data column as the exact text stored. */
  dataText: string;
  gate: { skip: string | false };
}

const servers: Server[] = [
  {
    name: 'PostgreSQL',
    admin: pgAdmin,
    client: () => pgClient(new pg.Pool(pgPoolSettings(parseSqlUrl(`postgresql://postgres@127.0.0.1:5432/${DB}`)))),
    dataText: 'data::text',
    gate: await requireService('PostgreSQL on 127.0.0.1:5432', () => pgAdmin('SELECT 1')),
  },
  {
    name: 'MariaDB',
    admin: mysqlAdmin,
    client: () =>
      mysqlClient(
        mysql as unknown as MysqlModule,
        mysqlConnectionSettings(parseSqlUrl(`mysql://root@127.0.0.1:3306/${DB}`)),
      ),
    dataText: 'CAST(data AS CHAR)',
    gate: await requireService('MariaDB/MySQL on 127.0.0.1:3306', () => mysqlAdmin('SELECT 1')),
  },
];

for (const server of servers) {
  describe(`SQL layout interop with Python OSProfiler 3.4.3 on ${server.name}`, { skip: server.gate.skip }, () => {
    let client: SqlClientLike;
    let driver: SqlDriver;
    const readRows = async (): Promise<Record<string, unknown>[]> =>
      (
        await client.query(
          `SELECT ${COLUMNS.slice(0, -1).join(', ')}, ${server.dataText} AS data FROM data ORDER BY id`,
        )
      ).map((row) => ({
        ...row,
        id: Number(row.id),
      }));

    before(async () => {
      await server.admin(`DROP DATABASE IF EXISTS ${DB}`);
      await server.admin(`CREATE DATABASE ${DB}`);
      client = server.client();
      driver = new SqlDriver(client, fixture.driver_args);
    });
    after(async () => {
      await driver?.close();
      await server.admin(`DROP DATABASE IF EXISTS ${DB}`).catch(() => {});
    });
    beforeEach(async () => {
      // a fresh table, so ids start at 1 as in the fixture
      await client.query('DROP TABLE IF EXISTS data');
      const fresh = new SqlDriver(server.client());
      await fresh.ensureSchema();
      await fresh.close();
    });

    it("creates Python's columns: types, nullability and the primary key", async () => {
      const rows = (await client.query(
        server.name === 'PostgreSQL'
          ? "SELECT column_name AS name, data_type AS type, character_maximum_length AS len, is_nullable AS nullable FROM information_schema.columns WHERE table_name = 'data' ORDER BY ordinal_position"
          : "SELECT column_name AS name, column_type AS type, NULL AS len, is_nullable AS nullable FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'data' ORDER BY ordinal_position",
      )) as { name: string; type: string; len: number | null; nullable: string }[];
      const expected = fixture.table.columns as { name: string; type: string; mysql_type: string; nullable: boolean }[];
      assert.deepEqual(
        rows.map((r) => r.name),
        expected.map((c) => c.name),
      );
      rows.forEach((row, i) => {
        const column = expected[i]!;
        assert.equal(row.nullable === 'YES', column.nullable, column.name);
        const type = column.type;
        if (server.name === 'PostgreSQL') {
          const pgType = type === 'INTEGER' ? 'integer' : type === 'JSON' ? 'json' : 'character varying';
          assert.equal(row.type, pgType, column.name);
          if (type.startsWith('VARCHAR')) assert.equal(Number(row.len), Number(/\d+/.exec(type)![0]), column.name);
        } else {
          // MariaDB stores JSON as LONGTEXT with a json_valid check
          const myType = type === 'INTEGER' ? 'int(11)' : type === 'JSON' ? 'longtext' : type.toLowerCase();
          assert.equal(String(row.type).toLowerCase(), myType, column.name);
        }
      });
    });

    it("reads Python's rows into Python's report, key for key", async () => {
      for (const row of fixture.rows as Record<string, unknown>[]) {
        await client.query(
          `INSERT INTO data (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
          COLUMNS.map((c) => row[c]),
        );
      }
      assert.deepEqual(await readRows(), fixture.rows);
      assert.equal(JSON.stringify(await driver.getReport(T1)), JSON.stringify(fixture['get_report_3.4.3']));
      assert.deepEqual(
        await driver.listTraces(['base_id', 'timestamp']),
        fixture['list_traces_3.4.3_fields_base_id_timestamp'],
      );
      // 3.4.3 raises TypeError without fields; we default to base_id and timestamp, as head does
      assert.equal(fixture['list_traces_3.4.3_no_fields'].type, 'TypeError');
      assert.deepEqual(await driver.listTraces(), fixture['list_traces_3.4.3_fields_base_id_timestamp']);
    });

    it("writes exactly Python's rows: columns, driver defaults and the double-encoded data text", async () => {
      await driver.notifyBatch(fixture.notifications_sent_in_order as Notification[]);
      assert.deepEqual(await readRows(), fixture.rows);
      assert.equal(JSON.stringify(await driver.getReport(T1)), JSON.stringify(fixture['get_report_3.4.3']));
    });

    it('accepts data stored once-encoded (a plain JSON object) too', async () => {
      const row = (fixture.rows as Record<string, unknown>[])[0]!;
      const once = JSON.parse(row.data as string) as string;
      await client.query(
        `INSERT INTO data (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
        COLUMNS.map((c) => (c === 'data' ? once : row[c])),
      );
      const node = (await driver.getReport(T1)).children[0]!;
      assert.deepEqual(node.info['meta.raw_payload.wsgi-start'], fixture.rows_data_decoded_twice[0]);
    });
  });
}
