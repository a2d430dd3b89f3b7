// getReport's paged read of the SQLite file gives the report the row-by-row read gives, whatever the rows hold.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadSqlite } from '../../../../src/drivers/sqlite/library.js';
import { createSqliteDriver } from '../../../../src/drivers/sqlite/driver.js';
import { REPORT_PAGE_ROWS, REPORT_PAGE_SQL, readReportRows } from '../../../../src/drivers/sqlite/report-rows.js';
import { SqlReportReader, reportFromSqlRows, type SqlRowLike } from '../../../../src/drivers/sql/layout.js';
import { setLogSink } from '../../../../src/log.js';

const Database = loadSqlite();
const dir = mkdtempSync(join(tmpdir(), 'osp-sqlite-pages-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const logged: string[] = [];
setLogSink((_level, message) => void logged.push(message));
after(() => setLogSink(undefined));

const BASE = 'aaaaaaaa-0000-4000-8000-000000000000';

/** Python's double encoding of a dict, as the store writes `data`. */
const doubleEncoded = (value: unknown): string => JSON.stringify(JSON.stringify(value));

/**
 * `data` values that each decoder path must judge alike: good double-encoded dicts (escapes,
 * non-ASCII, deep), a dict stored once-encoded, and every kind of corrupt value. (BLOBs, which
 * SQLite's JSON functions refuse, have a test of their own.)
 */
const ODD_DATA: unknown[] = [
  doubleEncoded({ info: { db: { statement: 'SELECT "x" FROM t WHERE a = \'é\'', params: [1, 2.5, null] } } }),
  doubleEncoded({ info: { text: 'tab\there, newline\nhere, emoji 😀, lone \ud800 surrogate, nul \u0000' } }),
  JSON.stringify({ info: { host: 'once-encoded' } }),
  null,
  '',
  '""',
  '"null"',
  '123',
  'null',
  '[1, 2]',
  '{broken',
  '"{broken"',
  JSON.stringify(doubleEncoded({ info: { host: 'triple' } })),
  '{a: 1}',
  "'single'",
  '"{\\"a\\": 1}" ',
  ' "{\\"info\\": {}}"',
  '"{\\"a\\": 1, \\"a\\": 2}"',
  '"{\\"n\\": 1e400, \\"m\\": -0, \\"big\\": 123456789012345678901234567890}"',
  '"{\\"a\\": \\"\\\\x41\\"}"',
  '"\tx"',
  `"${'['.repeat(1100)}${']'.repeat(1100)}"`,
];

/** A file with one trace of `spans` start/stop pairs; every 7th row's `data` replaced by an odd value. */
function writeTrace(path: string, spans: number): void {
  createSqliteDriver(`sqlite:///${path}`, { writer: 'inline' }).close();
  const db = new Database(path);
  const insert = db.prepare(
    'INSERT INTO data (timestamp, base_id, parent_id, trace_id, project, host, service, name, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  let odd = 0;
  db.transaction(() => {
    for (let i = 0; i < spans; i++) {
      const traceId = `bbbbbbbb-0000-4000-8000-${String(i).padStart(12, '0')}`;
      for (const [k, name] of ['db-start', 'db-stop'].entries()) {
        const row = 2 * i + k;
        const data = row % 7 === 3 ? ODD_DATA[odd++ % ODD_DATA.length] : doubleEncoded({ info: { i, host: 'h' } });
        const us = String((row * 37) % 1_000_000).padStart(6, '0');
        insert.run(
          `2024-05-14T09:30:${String(row % 60).padStart(2, '0')}.${us}`,
          BASE,
          BASE,
          traceId,
          'p',
          'h',
          's',
          name,
          data,
        );
      }
    }
  })();
  db.close();
}

/** How many pages of trace BASE in `path` the paged read had to read row by row. */
function rowByRowPages(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return readReportRows(db, BASE, new SqlReportReader()).rowByRowPages;
  } finally {
    db.close();
  }
}

/** The reference: every row read with one plain SELECT and fed to the SQL report reader as objects. */
function rowByRowReport(path: string): ReturnType<typeof reportFromSqlRows> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT * FROM data WHERE base_id = ? ORDER BY id').all(BASE) as SqlRowLike[];
    return reportFromSqlRows(rows);
  } finally {
    db.close();
  }
}

describe('SQLite getReport paged read', () => {
  it('gives the row-by-row report for good, odd and corrupt data over several pages', async () => {
    const path = join(dir, 'odd.db');
    const spans = Math.ceil((2.5 * REPORT_PAGE_ROWS) / 2);
    writeTrace(path, spans);
    const expected = rowByRowReport(path);
    assert.ok(expected.skipped > 0, 'the file holds corrupt rows');
    const driver = createSqliteDriver(`sqlite:///${path}`, { readonly: true });
    try {
      const report = await driver.getReport(BASE);
      assert.deepEqual(report, expected.report);
      assert.equal(driver.stats.lastReportSkipped, expected.skipped);
      assert.equal(report.children.length, spans);
      assert.equal(rowByRowPages(path), 0, 'every page went through the page query');
      assert.ok(
        logged.some((line) => line.includes(`${expected.skipped} corrupt row(s) of trace ${BASE} skipped`)),
        'the user is told how many rows were skipped',
      );
    } finally {
      driver.close();
    }
  });

  it('reads a page that holds a BLOB row by row, and the pages around it through the page query', async () => {
    const path = join(dir, 'blob.db');
    writeTrace(path, REPORT_PAGE_ROWS * 2);
    const db = new Database(path);
    const id = REPORT_PAGE_ROWS + 10;
    db.prepare('UPDATE data SET data = ? WHERE id = ?').run(Buffer.from(doubleEncoded({ info: { host: 'b' } })), id);
    db.close();
    const driver = createSqliteDriver(`sqlite:///${path}`, { readonly: true });
    try {
      const report = await driver.getReport(BASE);
      assert.deepEqual(report, rowByRowReport(path).report);
      const blobRow = report.children
        .flatMap((n) => Object.values(n.info))
        .filter((v) => (v as { info?: { host?: unknown } } | null)?.info?.host === 'b');
      assert.equal(blobRow.length, 1, 'the BLOB row is decoded as the row-by-row read decodes it');
      assert.equal(rowByRowPages(path), 1, 'only the page with the BLOB was read row by row');
    } finally {
      driver.close();
    }
  });

  it('an unknown trace gives an empty report', async () => {
    const path = join(dir, 'empty.db');
    writeTrace(path, 3);
    const driver = createSqliteDriver(`sqlite:///${path}`, { readonly: true });
    try {
      const report = await driver.getReport('cccccccc-0000-4000-8000-000000000000');
      assert.deepEqual(report.children, []);
      assert.equal(driver.stats.lastReportSkipped, 0);
    } finally {
      driver.close();
    }
  });

  it('each page is one seek on the base_id index, with no sort', () => {
    const path = join(dir, 'plan.db');
    writeTrace(path, 3);
    const db = new Database(path, { readonly: true });
    const plan = db
      .prepare<[string, number], { detail: string }>(`EXPLAIN QUERY PLAN ${REPORT_PAGE_SQL}`)
      .all(BASE, 0)
      .map((r) => r.detail)
      .join('; ');
    db.close();
    assert.match(plan, /USING INDEX ix_data_base_id \(base_id=\? AND rowid>\?\)/);
    assert.doesNotMatch(plan, /TEMP B-TREE/);
  });
});
