// The SQL table layout against fixtures/storage/sql.json: rows Python wrote are read, rows we write are Python's.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadSqlite } from '../../src/drivers/sqlite/library.js';
import {
  SqlReportReader,
  createIndexSql,
  createTableSql,
  decodeDataColumn,
  notificationToRow,
  parseSqlRow,
  reportFromSqlRows,
  type SqlRow,
} from '../../src/drivers/sql/layout.js';
import { createSqliteDriver } from '../../src/drivers/sqlite/driver.js';
import type { Notification } from '../../src/core/payload.js';
import { renderJson } from '../../src/report/json.js';
import type { Report } from '../../src/report/types.js';
import { loadFixture } from '../helpers/fixtures.js';

const Database = loadSqlite();

interface SqlFixture {
  ddl: Record<'postgresql' | 'mysql' | 'sqlite', { create_table: string; create_indexes: string[] }>;
  sqlite_master_as_created?: string[];
  notifications_sent_in_order: Notification[];
  driver_args: { project: string; service: string; host: string };
  rows: (SqlRow & { id: number })[];
  rows_data_decoded_once: string[];
  rows_data_decoded_twice: Record<string, unknown>[];
  'get_report_3.4.3': Report;
  'list_traces_3.4.3_fields_base_id_timestamp': { base_id: string; timestamp: string }[];
}

const fx = loadFixture<SqlFixture>('storage/sql.json');
const TRACE_1 = 'c0ffee00-0000-4000-8000-000000000001';
const dir = mkdtempSync(join(tmpdir(), 'osp-sql-layout-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function withoutId(row: SqlRow & { id: number }): SqlRow {
  const { id: _id, ...rest } = row;
  return rest;
}

describe('SQL layout: DDL', () => {
  for (const dialect of ['sqlite', 'postgresql', 'mysql'] as const) {
    it(`the ${dialect} CREATE TABLE is byte-equal to what SQLAlchemy 1.4 compiles`, () => {
      assert.equal(createTableSql(dialect), fx.ddl[dialect].create_table);
    });
    it(`the ${dialect} indexes are Python's ix_data_<column> set`, () => {
      assert.deepEqual(createIndexSql(), fx.ddl[dialect].create_indexes);
    });
  }

  it("a SQLite file set up by the driver has Python's table with only the indexes its queries use", () => {
    const path = join(dir, 'schema.db');
    createSqliteDriver(`sqlite:///${path}`).close();
    const db = new Database(path, { readonly: true });
    const sql = db
      .prepare<[], { sql: string }>('SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY sql')
      .all()
      .map((r) => r.sql);
    db.close();
    const expected = [
      'CREATE INDEX ix_data_base_id ON data (base_id)',
      'CREATE INDEX ix_data_base_id_timestamp ON data (base_id, timestamp)',
      // Python's own index on timestamp: the trace browser pages the newest traces through it
      'CREATE INDEX ix_data_timestamp ON data (timestamp)',
      fx.ddl.sqlite.create_table,
    ].sort();
    assert.deepEqual(sql, expected);
  });

  it("a SQLite file that already has Python's indexes keeps them", () => {
    const path = join(dir, 'python-schema.db');
    const db = new Database(path);
    db.exec(fx.ddl.sqlite.create_table);
    for (const sql of fx.ddl.sqlite.create_indexes) db.exec(sql);
    db.close();
    createSqliteDriver(`sqlite:///${path}`).close();
    const check = new Database(path, { readonly: true });
    const names = check
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
      .all()
      .map((r) => r.name);
    check.close();
    const python = fx.ddl.sqlite.create_indexes.map((sql) => sql.split(' ')[2]);
    assert.deepEqual(names, [...python, 'ix_data_base_id_timestamp'].sort());
  });
});

describe('SQL layout: writing rows', () => {
  it('each notification becomes the row Python writes, data double-encoded', () => {
    const rows = fx.notifications_sent_in_order.map((n) => notificationToRow(n, fx.driver_args));
    assert.deepEqual(rows, fx.rows.map(withoutId));
  });

  it('project and host present in the payload win over the driver defaults, even when null', () => {
    const payload = { ...fx.notifications_sent_in_order[0], project: null } as unknown as Notification;
    const row = notificationToRow(payload, fx.driver_args);
    assert.equal(row.project, null);
    assert.equal(row.host, 'ctl-01');
  });

  it('the SQLite driver stores exactly the rows (and ids) Python stored', async () => {
    const path = join(dir, 'written.db');
    const driver = createSqliteDriver(`sqlite:///${path}`, fx.driver_args);
    await driver.notifyBatch(fx.notifications_sent_in_order);
    await driver.close();
    const db = new Database(path, { readonly: true });
    const stored = db.prepare('SELECT * FROM data ORDER BY id').all();
    db.close();
    assert.deepEqual(stored, fx.rows);
  });
});

describe('SQL layout: reading rows', () => {
  it('the data column decodes to the dict Python stored, once- or twice-encoded', () => {
    fx.rows.forEach((row, i) => {
      assert.deepEqual(decodeDataColumn(row.data), fx.rows_data_decoded_twice[i]);
      assert.deepEqual(decodeDataColumn(fx.rows_data_decoded_once[i]), fx.rows_data_decoded_twice[i]);
      assert.deepEqual(decodeDataColumn(Buffer.from(String(row.data))), fx.rows_data_decoded_twice[i]);
      assert.deepEqual(decodeDataColumn(fx.rows_data_decoded_twice[i]), fx.rows_data_decoded_twice[i]);
    });
  });

  it('a corrupt data value is refused without throwing; NULL counts as an empty dict', () => {
    for (const bad of ['not json', '"not json either"', '[1, 2]', '42', '"\\"[]\\""', 7])
      assert.equal(decodeDataColumn(bad), undefined);
    assert.deepEqual(decodeDataColumn(null), {});
    assert.equal(parseSqlRow({ ...fx.rows[0], data: '{' }), undefined);
  });

  it("the report built from Python's rows equals Python's get_report, key order included", () => {
    const { report, skipped } = reportFromSqlRows(fx.rows.filter((r) => r.base_id === TRACE_1));
    assert.equal(skipped, 0);
    assert.deepEqual(report, fx['get_report_3.4.3']);
    assert.equal(renderJson(report), renderJson(fx['get_report_3.4.3']));
  });

  it('corrupt rows are skipped and counted, the rest of the trace still reported', () => {
    const reader = new SqlReportReader();
    const rows = fx.rows.filter((r) => r.base_id === TRACE_1);
    assert.equal(reader.add({ ...rows[0], data: 'garbage' }), false);
    assert.equal(reader.add({ ...rows[1], timestamp: 'yesterday' }), false);
    assert.equal(reader.add(null as unknown as SqlRow), false);
    for (const row of rows) reader.add(row);
    assert.equal(reader.skipped, 3);
    assert.deepEqual(reader.build(), fx['get_report_3.4.3']);
  });

  it('a Python-made SQLite file is read by the driver: report and trace list as Python gives them', async () => {
    const path = join(dir, 'python-made.db');
    const db = new Database(path);
    db.exec(fx.ddl.sqlite.create_table);
    for (const sql of fx.ddl.sqlite.create_indexes) db.exec(sql);
    const insert = db.prepare(
      'INSERT INTO data (id, timestamp, base_id, parent_id, trace_id, project, host, service, name, data) VALUES (@id, @timestamp, @base_id, @parent_id, @trace_id, @project, @host, @service, @name, @data)',
    );
    for (const row of fx.rows) insert.run(row);
    db.close();

    const driver = createSqliteDriver(`sqlite:///${path}`, { fileMustExist: true });
    try {
      assert.equal(renderJson(await driver.getReport(TRACE_1)), renderJson(fx['get_report_3.4.3']));
      assert.deepEqual(
        await driver.listTraces(['base_id', 'timestamp']),
        fx['list_traces_3.4.3_fields_base_id_timestamp'],
      );
    } finally {
      driver.close();
    }
  });
});
