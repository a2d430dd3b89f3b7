// The Python SQLAlchemy driver's table `data`, shared by every SQL store: DDL, row ↔ notification mapping, row parsing.
import { getHostname } from '../../core/host.js';
import type { Notification } from '../../core/payload.js';
import { pythonJsonDumpsAsString, pythonJsonDumpsAsStringWithout } from '../../propagation/python-json.js';
import { ReportBuilder } from '../../report/build.js';
import type { Report, StoredNotification } from '../../report/types.js';

/** The table every SQL store uses (Python: `sqlalchemy_driver.py`). */
export const SQL_TABLE = 'data';

/** SQL dialects whose DDL {@link createTableSql} knows (the ones SQLAlchemy compiled in the fixtures). */
export type SqlDialect = 'sqlite' | 'postgresql' | 'mysql';

/** One column of the table, in table order. */
export interface SqlColumn {
  name: string;
  /** The column type as SQLAlchemy 1.4 writes it (`JSON` holds the double-encoded text). */
  type: string;
  /** Python creates a non-unique index `ix_data_<name>` on it. */
  indexed: boolean;
}

/** The table's columns, in the order Python creates them. */
export const SQL_COLUMNS: readonly SqlColumn[] = Object.freeze([
  { name: 'id', type: 'INTEGER', indexed: false },
  { name: 'timestamp', type: 'VARCHAR(26)', indexed: true },
  { name: 'base_id', type: 'VARCHAR(255)', indexed: true },
  { name: 'parent_id', type: 'VARCHAR(255)', indexed: true },
  { name: 'trace_id', type: 'VARCHAR(255)', indexed: true },
  { name: 'project', type: 'VARCHAR(255)', indexed: true },
  { name: 'host', type: 'VARCHAR(255)', indexed: true },
  { name: 'service', type: 'VARCHAR(255)', indexed: true },
  { name: 'name', type: 'VARCHAR(255)', indexed: true },
  { name: 'data', type: 'JSON', indexed: false },
]);

/** The columns an INSERT fills, in the order of {@link SqlRow}'s values (`id` is generated). */
export const SQL_INSERT_COLUMNS = [
  'timestamp',
  'base_id',
  'parent_id',
  'trace_id',
  'project',
  'host',
  'service',
  'name',
  'data',
] as const;

/** The columns a report needs, selected by getReport: those inserted but `base_id`, the query's key. */
export const SQL_REPORT_COLUMNS: readonly string[] = SQL_INSERT_COLUMNS.filter((column) => column !== 'base_id');

/**
 * One row of `data` as stored (the `id` column aside). `data` is the double-encoded JSON text:
 * a JSON string literal whose content is the JSON of what is left of the notification.
 */
export interface SqlRow {
  timestamp: unknown;
  base_id: unknown;
  parent_id: unknown;
  trace_id: unknown;
  project: unknown;
  host: unknown;
  service: unknown;
  name: unknown;
  data: unknown;
}

/** A row as a database client returns it: any subset of the columns, `data` as text, Buffer or parsed JSON. */
export type SqlRowLike = Partial<SqlRow> & { id?: unknown };

const INDEX_ORDER = ['base_id', 'host', 'name', 'parent_id', 'project', 'service', 'timestamp', 'trace_id'];

/**
 * Beyond Python: a composite index so "earliest record per trace" (listTraces) reads only the
 * index. Python ignores indexes it did not create, so both can share a database.
 */
export const SQL_EXTRA_INDEXES: readonly { name: string; columns: readonly string[] }[] = Object.freeze([
  { name: 'ix_data_base_id_timestamp', columns: ['base_id', 'timestamp'] },
]);

/**
 * `CREATE TABLE data (…)` exactly as SQLAlchemy 1.4 compiles it for the dialect (byte-equal to
 * fixtures/storage/sql.json `ddl`), or with `IF NOT EXISTS` when `ifNotExists` is true.
 * @since 0.1.0
 */
export function createTableSql(dialect: SqlDialect, ifNotExists = false): string {
  const id =
    dialect === 'postgresql'
      ? 'id SERIAL NOT NULL'
      : dialect === 'mysql'
        ? 'id INTEGER NOT NULL AUTO_INCREMENT'
        : 'id INTEGER NOT NULL';
  const columns = SQL_COLUMNS.slice(1).map((c) => `\t${c.name} ${c.type}, \n`);
  return `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${SQL_TABLE} (\n\t${id}, \n${columns.join('')}\tPRIMARY KEY (id)\n)`;
}

/**
 * Python's `ix_data_<column>` indexes (alphabetical, as SQLAlchemy emits them; only those on
 * `columns` when given), then {@link SQL_EXTRA_INDEXES} when `extra` is true. `ifNotExists` suits SQLite, PostgreSQL and
 * MariaDB (MySQL has no `CREATE INDEX IF NOT EXISTS`: check information_schema there instead).
 * @since 0.1.0
 */
export function createIndexSql(
  options: { ifNotExists?: boolean; extra?: boolean; columns?: readonly string[] } = {},
): string[] {
  const guard = options.ifNotExists ? 'IF NOT EXISTS ' : '';
  const columns = options.columns === undefined ? INDEX_ORDER : INDEX_ORDER.filter((c) => options.columns!.includes(c));
  const out = columns.map((c) => `CREATE INDEX ${guard}ix_${SQL_TABLE}_${c} ON ${SQL_TABLE} (${c})`);
  if (options.extra) {
    for (const ix of SQL_EXTRA_INDEXES)
      out.push(`CREATE INDEX ${guard}${ix.name} ON ${SQL_TABLE} (${ix.columns.join(', ')})`);
  }
  return out;
}

/** The writing service's names, used when the notification carries none (Python's driver defaults). */
export interface SqlRowDefaults {
  project?: string | null;
  service?: string | null;
  /** The host column (default this machine's name); Python does not use `info.host` here. */
  host?: string | null;
}

const POPPED = new Set(['base_id', 'timestamp', 'parent_id', 'trace_id', 'name', 'project', 'host', 'service']);

/**
 * The `data` column value for what is left of a notification: Python's `jsonutils.dumps(rest)`
 * (`", "`/`": "` separators, ASCII escapes) encoded once more as a JSON string, as SQLAlchemy's
 * JSON type stores a Python str. Throws only for values JSON cannot hold (circular objects).
 * @since 0.1.0
 */
export function encodeDataColumn(rest: Record<string, unknown>): string {
  return pythonJsonDumpsAsString(rest);
}

/**
 * The row Python's SQL driver writes for one notification: `base_id, timestamp, parent_id,
 * trace_id, name` taken out (null when absent), `project, host, service` taken out with the
 * driver's values as defaults (a key present with null stays null, as `dict.pop` does), and the
 * rest, key order kept, double-encoded into `data`. Throws only for circular info objects.
 * @since 0.1.0
 */
export function notificationToRow(payload: Notification, defaults: SqlRowDefaults = {}): SqlRow {
  const pick = (key: string, fallback: unknown): unknown =>
    Object.hasOwn(payload, key) ? (payload[key] ?? null) : fallback;
  return {
    timestamp: pick('timestamp', null),
    base_id: pick('base_id', null),
    parent_id: pick('parent_id', null),
    trace_id: pick('trace_id', null),
    project: pick('project', defaults.project ?? null),
    host: pick('host', defaults.host === undefined ? getHostname() : defaults.host),
    service: pick('service', defaults.service ?? null),
    name: pick('name', null),
    data: pythonJsonDumpsAsStringWithout(payload, POPPED),
  };
}

/** The row's values in {@link SQL_INSERT_COLUMNS} order, for a prepared positional INSERT. */
export function rowValues(row: SqlRow): unknown[] {
  return SQL_INSERT_COLUMNS.map((column) => row[column]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Decodes a `data` column value into the leftover dict: text is parsed, and a result that is
 * itself a string (Python's double encoding) is parsed again; clients that already parsed the
 * JSON column (pg, mysql2) hand over the string or the object. NULL or empty gives `{}`.
 * Returns undefined for anything that is not, in the end, a JSON object. Never throws.
 * @since 0.1.0
 */
export function decodeDataColumn(value: unknown): Record<string, unknown> | undefined {
  // the usual case first: text holding Python's double encoding (one parse for each level)
  if (typeof value === 'string' && value.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
      if (typeof parsed === 'string') parsed = JSON.parse(parsed);
    } catch {
      return undefined;
    }
    return isObject(parsed) ? parsed : undefined;
  }
  let current: unknown = value;
  if (current === null || current === undefined || current === '') return {};
  if (typeof Buffer !== 'undefined' && Buffer.isBuffer(current)) current = current.toString('utf8');
  // why: at most two decodes, the layout's depth; a third level is not something Python writes.
  for (let i = 0; i < 2 && typeof current === 'string'; i++) {
    try {
      current = JSON.parse(current);
    } catch {
      return undefined;
    }
  }
  return isObject(current) ? current : undefined;
}

/**
 * {@link decodeDataColumn} for a `data` value whose outer JSON level was already decoded (SQLite's
 * `json()` of a stored text it found strict JSON): a string is parsed once more, any other value
 * must be the object itself. Gives what decodeDataColumn gives for the stored text. Never throws.
 */
export function decodeDataColumnOnce(value: unknown): Record<string, unknown> | undefined {
  let parsed = value;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      return undefined;
    }
  }
  return isObject(parsed) ? parsed : undefined;
}

/** A row read back: the notification rebuilt from it, with what the report takes from it. */
export interface ParsedSqlRow {
  /** `{name, base_id, trace_id, parent_id, timestamp, …data, project, service}` */
  record: StoredNotification;
  /** The decoded `data` dict: Python's `meta.raw_payload.<name>` value for SQL stores. */
  rawPayload: Record<string, unknown>;
  /** The `host` column: the report node's host. */
  host: unknown;
}

/**
 * Rebuilds a notification from a row; undefined for a corrupt row (a `data` value that is not
 * JSON of an object). Columns win over same-named keys inside `data`. Never throws.
 * @since 0.1.0
 */
export function parseSqlRow(row: SqlRowLike): ParsedSqlRow | undefined {
  if (!isObject(row)) return undefined;
  const rawPayload = decodeDataColumn(row.data);
  if (rawPayload === undefined) return undefined;
  const record = {
    name: row.name ?? null,
    base_id: row.base_id ?? null,
    trace_id: row.trace_id ?? null,
    parent_id: row.parent_id ?? null,
    timestamp: row.timestamp ?? null,
    ...rawPayload,
  } as Record<string, unknown>;
  // why: the spread may bring keys of the same name from `data`; the columns are authoritative.
  for (const key of ['name', 'base_id', 'trace_id', 'parent_id', 'timestamp'] as const) record[key] = row[key] ?? null;
  record.project = row.project ?? null;
  record.service = row.service ?? null;
  return { record: record as StoredNotification, rawPayload, host: row.host ?? null };
}

/**
 * Builds one trace's report from its rows, fed in table (id) order, exactly as Python's
 * `get_report` does for SQL stores: host from the `host` column, `meta.raw_payload.*` = the
 * decoded `data` dict. Corrupt rows (and records the report builder rejects) are skipped and
 * counted in {@link skipped}, never thrown.
 * @since 0.1.0
 */
export class SqlReportReader {
  readonly #builder = new ReportBuilder();
  #corrupt = 0;

  /**
   * Feeds one row; false when it was skipped. The same as reporting `parseSqlRow(row)`'s record,
   * without building it. why: a record object per row was measurable at 200k rows (pg-read).
   */
  add(row: SqlRowLike): boolean {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      this.#corrupt++;
      return false;
    }
    return this.addColumns(
      row.timestamp,
      row.parent_id,
      row.trace_id,
      row.project,
      row.host,
      row.service,
      row.name,
      row.data,
    );
  }

  /**
   * Feeds one row given as its column values (as a raw SELECT of {@link SQL_REPORT_COLUMNS}
   * returns them): the same as {@link add} without building row or record objects.
   * `dataDecodedOnce`: `data` has had its outer JSON level decoded already (see {@link decodeDataColumnOnce}).
   */
  addColumns(
    timestamp: unknown,
    parentId: unknown,
    traceId: unknown,
    project: unknown,
    host: unknown,
    service: unknown,
    name: unknown,
    data: unknown,
    dataDecodedOnce = false,
  ): boolean {
    const rawPayload = dataDecodedOnce ? decodeDataColumnOnce(data) : decodeDataColumn(data);
    if (rawPayload === undefined) {
      this.#corrupt++;
      return false;
    }
    return this.#builder.addFields(
      timestamp ?? null,
      name ?? null,
      traceId ?? null,
      parentId ?? null,
      project ?? null,
      service ?? null,
      host ?? null,
      rawPayload,
    );
  }

  /** Rows left out: corrupt `data`, or a timestamp/name the report builder rejects. */
  get skipped(): number {
    return this.#corrupt + this.#builder.skipped;
  }

  /** The report of everything added so far. */
  build(): Report {
    return this.#builder.build();
  }
}

/** {@link SqlReportReader} over an iterable of rows; returns the report and the skipped count. */
export function reportFromSqlRows(rows: Iterable<SqlRowLike>): { report: Report; skipped: number } {
  const reader = new SqlReportReader();
  for (const row of rows) reader.add(row);
  return { report: reader.build(), skipped: reader.skipped };
}
