// getReport's read of one trace from the SQLite file: pages of rows that SQLite hands over as one JSON text each.
import type BetterSqlite3 from 'better-sqlite3';
import { SQL_REPORT_COLUMNS, type SqlReportReader } from '../sql/layout.js';

type Db = BetterSqlite3.Database;

/** Rows per page. why: large enough that the per-statement cost vanishes, small enough that a page's text stays ~1 MB. */
export const REPORT_PAGE_ROWS = 2000;

const COLUMNS = SQL_REPORT_COLUMNS.join(', ');
/** The SQL_REPORT_COLUMNS but `data`, which the page query sends decoded once. */
const PLAIN_COLUMNS = SQL_REPORT_COLUMNS.filter((column) => column !== 'data').join(', ');

/**
 * One page as a JSON array of `[id, …PLAIN_COLUMNS, ok, value]` rows in id order, and the page's
 * last id. `ok` is 1 when `data` is text holding strict (RFC 8259) JSON, and then `value` is that
 * JSON with its outer level decoded by SQLite (Python's double-encoded text arrives as the inner
 * JSON text); otherwise `value` is the column as stored, for the exact decoder to judge (a BLOB,
 * which JSON cannot hold, fails the page, which is then read row by row).
 * why: SQLite writes the rows of a page into one text in C, and one JSON.parse makes all their
 * values, where stepping row by row costs a native call per row and per value; and the outer
 * decode of `data` happens in the same pass (measured: ~0.75x the time of row-by-row stepping
 * with two JSON.parse per row, for a 100k-span trace). `ORDER BY` inside the aggregate would
 * force a sort, so the subquery's order is relied on and checked (see readPage).
 */
export const REPORT_PAGE_SQL = `SELECT max(id), json_group_array(json_array(id, ${PLAIN_COLUMNS}, ok, CASE WHEN ok THEN json(data) ELSE data END))
  FROM (SELECT id, ${COLUMNS}, (typeof(data) = 'text' AND json_valid(data, 1)) AS ok FROM data WHERE base_id = ? AND id > ? ORDER BY id LIMIT ${REPORT_PAGE_ROWS})`;

/** The same page row by row, for pages the page query cannot write (a BLOB value) or JSON.parse cannot read. */
const ROWS_SQL = `SELECT id, ${COLUMNS} FROM data WHERE base_id = ? AND id > ? ORDER BY id LIMIT ${REPORT_PAGE_ROWS}`;

/** How a read ended: rows fed, and the error that stopped it early (a damaged file) if one did. */
export interface ReportRowsRead {
  read: number;
  /** Pages read row by row because the page query could not give them. */
  rowByRowPages: number;
  stoppedBy?: Error;
}

/**
 * Feeds every row of trace `baseId` to `reader` in id order, page by page inside one read
 * transaction (one snapshot, as a single statement would see). A page SQLite cannot write as
 * JSON, or whose text does not parse, is read again row by row, so every row is judged by the
 * same decoder either way. An error that is not about one page (damage in the file) ends the
 * read: thrown when no row was read, else returned with the count of rows fed before it.
 */
export function readReportRows(db: Db, baseId: string, reader: SqlReportReader): ReportRowsRead {
  const pages = db.prepare<[string, number], [number | null, string]>(REPORT_PAGE_SQL).raw(true);
  const rows = db.prepare<[string, number], unknown[]>(ROWS_SQL).raw(true);
  const own = !db.inTransaction;
  if (own) db.prepare('BEGIN').run();
  let read = 0;
  let rowByRowPages = 0;
  try {
    let after = -Infinity;
    for (;;) {
      const page = readPage(pages, rows, baseId, after, reader);
      read += page.read;
      if (page.rowByRow) rowByRowPages++;
      if (page.stoppedBy !== undefined) {
        if (read === 0) throw page.stoppedBy;
        return { read, rowByRowPages, stoppedBy: page.stoppedBy };
      }
      if (page.read < REPORT_PAGE_ROWS) return { read, rowByRowPages };
      after = page.lastId;
    }
  } finally {
    if (own) endReadTransaction(db);
  }
}

/**
 * Ends the read transaction readReportRows began. why: on a damaged file COMMIT itself fails
 * ("database disk image is malformed") after the rows before the damage were read; a read
 * transaction has nothing to keep or undo, so failing to end it must not lose those rows, nor
 * hide the error that ended the read.
 */
function endReadTransaction(db: Db): void {
  for (const end of ['COMMIT', 'ROLLBACK']) {
    if (!db.inTransaction) return;
    try {
      db.prepare(end).run();
    } catch {
      // ROLLBACK is tried next; a connection still in a transaction after both sits on a damaged
      // file, where writes fail anyway
    }
  }
}

interface PageRead {
  read: number;
  lastId: number;
  rowByRow?: boolean;
  stoppedBy?: Error;
}

/** One page after id `after`: through the page query, or row by row when that fails. */
function readPage(
  pages: BetterSqlite3.Statement<[string, number], [number | null, string]>,
  rows: BetterSqlite3.Statement<[string, number], unknown[]>,
  baseId: string,
  after: number,
  reader: SqlReportReader,
): PageRead {
  let parsed: unknown[][];
  let lastId: number;
  try {
    const [maxId, text] = pages.get(baseId, after)!;
    if (maxId === null) return { read: 0, lastId: after };
    parsed = JSON.parse(text) as unknown[][];
    lastId = maxId;
  } catch {
    return readPageRowByRow(rows, baseId, after, reader);
  }
  if (!inIdOrder(parsed)) parsed.sort((a, b) => (a[0] as number) - (b[0] as number));
  for (const r of parsed) reader.addColumns(r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[9], r[8] === 1);
  return { read: parsed.length, lastId };
}

/** Whether the page's rows came in ascending id order (SQLite feeds an aggregate in its subquery's order). */
function inIdOrder(parsed: readonly unknown[][]): boolean {
  for (let i = 1; i < parsed.length; i++) if ((parsed[i]![0] as number) <= (parsed[i - 1]![0] as number)) return false;
  return true;
}

function readPageRowByRow(
  rows: BetterSqlite3.Statement<[string, number], unknown[]>,
  baseId: string,
  after: number,
  reader: SqlReportReader,
): PageRead {
  let read = 0;
  let lastId = after;
  try {
    // v holds id, then the SQL_REPORT_COLUMNS in that order
    for (const v of rows.iterate(baseId, after)) {
      reader.addColumns(v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
      lastId = v[0] as number;
      read++;
    }
  } catch (error) {
    return { read, lastId, rowByRow: true, stoppedBy: error as Error };
  }
  return { read, lastId, rowByRow: true };
}
