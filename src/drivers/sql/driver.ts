// The dialect-neutral SQL driver: Python's SQLAlchemy table `data` over any SqlClientLike (PostgreSQL, MySQL, MariaDB).
import { runOutsideTrace } from '../../core/context.js';
import { DriverUnavailableError } from '../../errors.js';
import { getHostname } from '../../core/host.js';
import { debug, logRateLimited } from '../../log.js';
import type { Notification } from '../../core/payload.js';
import type { Report, TraceSummary } from '../../report/types.js';
import type { Driver, TraceReader, DriverOptions } from '../driver.js';
import { deadlinesOf, withDeadline, type Deadlines } from '../deadline.js';
import {
  traceOverview,
  type TraceOverview,
  type TraceOverviewOptions,
  type TraceOverviewSource,
} from '../trace-overview.js';
import type { SqlClientLike } from './clients.js';
import { errorCandidatesSql, OVERVIEW_AGGREGATE_SQL, servicesByTrace, TraceErrors } from './overview.js';
import {
  SQL_COLUMNS,
  SQL_INSERT_COLUMNS,
  SQL_REPORT_COLUMNS,
  SqlReportReader,
  createIndexSql,
  createTableSql,
  decodeDataColumn,
  notificationToRow,
  rowValues,
  type SqlRowDefaults,
  type SqlRowLike,
} from './layout.js';

/** Options of {@link SqlDriver}: every driver's, plus the scheme and a label for messages. */
export interface SqlDriverOptions extends DriverOptions {
  scheme?: string;
  label?: string;
}

/** Counters of one driver. */
export interface SqlDriverStats {
  /** Notifications that could not be encoded (circular info) and were left out. */
  unwritable: number;
  /** Rows skipped by the last getReport (corrupt `data`, unparsable timestamp). */
  lastReportSkipped: number;
}

type Row = Record<string, unknown>;

const INSERT_CHUNK = 500;
const ROW_PLACEHOLDERS = `(${SQL_INSERT_COLUMNS.map(() => '?').join(', ')})`;
const IN_CHUNK = 500;
const COLUMN_NAMES = new Set(SQL_COLUMNS.map((c) => c.name));
// Errors that mean "someone else created it first" (PostgreSQL SQLSTATEs, MySQL errnos).
const ALREADY_EXISTS = new Set<unknown>(['42P07', '42710', '23505', 1050, 1061]);
const NO_TABLE = new Set<unknown>(['42P01', 1146]);

/**
 * The PostgreSQL / MySQL / MariaDB store, in Python's SQLAlchemy layout (fixtures/storage/sql.json):
 * table `data` with its `ix_data_<column>` indexes, created when missing (plus one composite
 * index of ours), one row per notification with `data` double-encoded. A batch is written with
 * multi-row INSERTs. A store that is down fails batches (the notifier counts them) and is used
 * again once it is back, creating the table then if needed. All I/O runs outside any trace.
 * @since 0.1.0
 */
export class SqlDriver implements Driver, TraceReader, TraceOverviewSource {
  /** This store can be read back (trace show, trace list, ui). */
  readonly reader: TraceReader = this;
  /** Per-trace summaries for `trace list` and the trace browser's columns and filters. */
  readonly overviews: TraceOverviewSource = this;
  readonly scheme: string;
  readonly stats: SqlDriverStats = { unwritable: 0, lastReportSkipped: 0 };
  readonly #client: SqlClientLike;
  readonly #defaults: SqlRowDefaults;
  readonly #label: string;
  #schema: Promise<void> | undefined;
  #schemaReady = false;
  #closed = false;
  readonly #deadlines: Deadlines;

  constructor(client: SqlClientLike, options: SqlDriverOptions = {}) {
    this.#client = client;
    this.#deadlines = deadlinesOf(options);
    this.scheme = options.scheme ?? client.dialect;
    this.#label = options.label ?? client.dialect;
    this.#defaults = {
      project: options.project ?? null,
      service: options.service ?? null,
      host: options.host ?? getHostname(),
    };
  }

  /** Creates the table and indexes in the background (failures are retried by the next write). */
  warmUp(): void {
    this.ensureSchema().catch((error: unknown) =>
      debug('%s: schema not ready yet: %s', this.#label, (error as Error)?.message),
    );
  }

  /** Creates table `data` and its indexes unless they exist (Python: `create_all(checkfirst=True)`). */
  ensureSchema(): Promise<void> {
    if (this.#schemaReady) return Promise.resolve();
    this.#schema ??= runOutsideTrace(() =>
      withDeadline(this.#createSchema(), this.#deadlines.writeMs, this.#label, 'create table "data"'),
    ).then(
      () => void (this.#schemaReady = true),
      (error: unknown) => {
        this.#schema = undefined;
        throw this.#unavailable('cannot create table "data"', error);
      },
    );
    return this.#schema;
  }

  /** Stores a batch with multi-row INSERTs of up to 500 rows each. */
  async notifyBatch(batch: readonly Notification[]): Promise<void> {
    const rows: unknown[][] = [];
    for (const payload of batch) {
      try {
        rows.push(rowValues(notificationToRow(payload, this.#defaults)));
      } catch (error) {
        this.stats.unwritable++;
        logRateLimited(
          'warn',
          `sql-encode:${this.#label}`,
          `osprofiler: a notification could not be stored: ${(error as Error)?.message}`,
        );
      }
    }
    if (rows.length === 0) return;
    const ms = this.#deadlines.writeMs;
    await this.#run(ms, `writing ${batch.length} notifications`, async () => {
      await this.ensureSchema();
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        const chunk = rows.slice(i, i + INSERT_CHUNK);
        const sql = `INSERT INTO data (${SQL_INSERT_COLUMNS.join(', ')}) VALUES ${chunk.map(() => ROW_PLACEHOLDERS).join(', ')}`;
        try {
          await this.#query(sql, chunk.flat(), ms);
        } catch (error) {
          if (!NO_TABLE.has(errorCode((error as Error).cause))) throw error;
          // why: the table was dropped while we ran (a cleanup job): create it again, once.
          this.#schemaReady = false;
          this.#schema = undefined;
          await this.ensureSchema();
          await this.#query(sql, chunk.flat(), ms);
        }
      }
    });
  }

  /**
   * The report of one trace (an empty report if unknown). why no ORDER BY: Python's query has
   * none, so it builds from the rows in the order the server returns them, which on PostgreSQL
   * is not id order once rows of different sizes refill earlier pages; sending the same query
   * gets the same plan and so the same order, hence the same tie order between siblings that
   * start in the same millisecond and the same key order inside each point.
   */
  async getReport(baseId: string): Promise<Report> {
    return this.#read(
      'read a trace',
      async (ms) => {
        const reader = new SqlReportReader();
        const sql = `SELECT ${SQL_REPORT_COLUMNS.join(', ')} FROM data WHERE base_id = ?`;
        if (this.#client.queryArrays === undefined) {
          for (const row of await this.#query(sql, [String(baseId)], ms)) reader.add(row as SqlRowLike);
        } else {
          // v holds the SQL_REPORT_COLUMNS, in that order
          for (const v of await this.#queryArrays(sql, [String(baseId)], ms))
            reader.addColumns(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
        }
        this.stats.lastReportSkipped = reader.skipped;
        if (reader.skipped > 0) {
          logRateLimited(
            'warn',
            `sql-read:${this.#label}`,
            `osprofiler: ${reader.skipped} corrupt row(s) of trace ${baseId} skipped`,
          );
        }
        return reader.build();
      },
      () => new SqlReportReader().build(),
    );
  }

  /**
   * One entry per trace, its earliest row (Python takes the first row in table order), oldest
   * trace first. Column names are read from the row; other names from its `data` dict.
   */
  async listTraces(fields: readonly string[] = ['base_id', 'timestamp']): Promise<TraceSummary[]> {
    return this.#read(
      'list traces',
      async (ms) => {
        const simple = fields.every((f) => f === 'base_id' || f === 'timestamp');
        const rows = simple
          ? await this.#query(
              'SELECT base_id, MIN(timestamp) AS timestamp FROM data WHERE base_id IS NOT NULL GROUP BY base_id ORDER BY 2, 1',
              [],
              ms,
            )
          : await this.#query(
              `SELECT * FROM (SELECT d.*, ROW_NUMBER() OVER (PARTITION BY base_id ORDER BY timestamp, id) AS osp_rn
               FROM data d WHERE base_id IS NOT NULL) t WHERE osp_rn = 1 ORDER BY timestamp, base_id`,
              [],
              ms,
            );
        return rows.map((row) => projectRow(row, fields));
      },
      () => [],
    );
  }

  /**
   * Traces with an error stop (`info.etype`), found in the stored rows (Python's SQL driver has
   * no error list; no write-time filter is needed): `{base_id, timestamp}` of their start, oldest first.
   */
  async listErrorTraces(): Promise<TraceSummary[]> {
    const overviews = await this.listTraceOverviews({ errorsOnly: true });
    return overviews.map((o) => ({ base_id: o.base_id, timestamp: o.timestamp }));
  }

  /**
   * Per-trace summaries (start, duration, services, points, error), oldest first; with `limit`,
   * the most recent ones. One aggregate query, one for the services of the traces listed and
   * one for the stops that may hold an error (decoded here, as the SQLite store's query does).
   */
  async listTraceOverviews(options: TraceOverviewOptions = {}): Promise<TraceOverview[]> {
    return this.#read(
      'list traces',
      async (ms) => {
        const errors = new TraceErrors();
        for (const row of await this.#query(errorCandidatesSql(this.#client.dialect), [], ms)) errors.add(row);
        const limit = options.limit !== undefined && options.limit >= 0 ? Math.floor(options.limit) : undefined;
        let rows: Row[];
        if (options.errorsOnly === true) {
          rows = await this.#queryIn(
            errors.ids(),
            (marks) => `${OVERVIEW_AGGREGATE_SQL} AND base_id IN (${marks}) GROUP BY base_id`,
            ms,
          );
        } else {
          const newest = `${OVERVIEW_AGGREGATE_SQL} GROUP BY base_id ORDER BY started DESC, base_id DESC`;
          rows = await this.#query(
            limit === undefined ? newest : `${newest} LIMIT ?`,
            limit === undefined ? [] : [limit],
            ms,
          );
        }
        rows.sort((a, b) => compareText(a.started, b.started) || compareText(a.base_id, b.base_id));
        if (limit !== undefined && rows.length > limit) rows = rows.slice(rows.length - limit);
        const servicesSql = 'SELECT DISTINCT base_id, project, service FROM data WHERE base_id';
        // why: an unbounded listing holds every trace, so one query over all is cheaper than chunks of ids
        const serviceRows =
          limit === undefined && options.errorsOnly !== true
            ? await this.#query(`${servicesSql} IS NOT NULL`, [], ms)
            : await this.#queryIn(
                rows.map((row) => String(row.base_id)),
                (marks) => `${servicesSql} IN (${marks})`,
                ms,
              );
        const services = servicesByTrace(serviceRows);
        return rows.map((row) => {
          const id = String(row.base_id);
          return traceOverview({
            base_id: id,
            started: row.started,
            finished: row.finished,
            spans: row.spans,
            notifications: row.notifications,
            services: [...(services.get(id) ?? [])],
            error: errors.of(id),
          });
        });
      },
      () => [],
    );
  }

  /** Number of traces in the store. */
  async countTraces(): Promise<number> {
    return this.#read(
      'count traces',
      async (ms) => {
        const [row] = await this.#query(
          'SELECT COUNT(DISTINCT base_id) AS n FROM data WHERE base_id IS NOT NULL',
          [],
          ms,
        );
        return Number(row?.n ?? 0);
      },
      () => 0,
    );
  }

  describe(): string {
    return this.#label;
  }

  /** Connects (login included) and runs `SELECT 1` within `connectTimeoutMs`, or rejects saying why. */
  async connect(): Promise<void> {
    const ms = this.#deadlines.connectMs;
    await this.#run(ms, 'connect', () => this.#query('SELECT 1', [], ms));
  }

  /** Closes the connections (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.close();
  }

  // ---- internals ----

  /** Runs `op` outside any trace; past `ms` it fails with "did not answer within". */
  #run<T>(ms: number, what: string, op: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new DriverUnavailableError(`${this.#label}: the driver is closed.`));
    return withDeadline(runOutsideTrace(op), ms, this.#label, what);
  }

  /**
   * A read; a missing table reads as empty (the driver creates it in the background when it
   * starts, as Python's does). why: waiting for the table here first made a read of a server that
   * does not answer cost two connect deadlines.
   */
  #read<T>(what: string, op: (ms: number) => Promise<T>, empty: () => T): Promise<T> {
    const ms = this.#deadlines.readMs;
    return this.#run(ms, what, async () => {
      try {
        return await op(ms);
      } catch (error) {
        if (error instanceof DriverUnavailableError && NO_TABLE.has(errorCode(error.cause))) return empty();
        throw error;
      }
    });
  }

  async #query(sql: string, params: readonly unknown[], timeoutMs: number): Promise<Row[]> {
    try {
      return await this.#client.query(sql, params, timeoutMs);
    } catch (error) {
      throw this.#unavailable('query failed', error);
    }
  }

  /** {@link #query} through the client's queryArrays (the caller checked it has one). */
  async #queryArrays(sql: string, params: readonly unknown[], timeoutMs: number): Promise<unknown[][]> {
    try {
      return await this.#client.queryArrays!(sql, params, timeoutMs);
    } catch (error) {
      throw this.#unavailable('query failed', error);
    }
  }

  /** The rows of `sqlFor(placeholders)` for `ids`, IN_CHUNK ids a query. */
  async #queryIn(ids: readonly string[], sqlFor: (marks: string) => string, ms: number): Promise<Row[]> {
    const rows: Row[] = [];
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = ids.slice(i, i + IN_CHUNK);
      rows.push(...(await this.#query(sqlFor(chunk.map(() => '?').join(', ')), chunk, ms)));
    }
    return rows;
  }

  async #createSchema(): Promise<void> {
    const client = this.#client;
    const ms = this.#deadlines.writeMs;
    const tolerate = (error: unknown): void => {
      if (!ALREADY_EXISTS.has(errorCode(error))) throw error;
    };
    if (client.dialect === 'postgresql') {
      await client.query(createTableSql('postgresql', true), [], ms).catch(tolerate);
      for (const sql of createIndexSql({ ifNotExists: true, extra: true }))
        await client.query(sql, [], ms).catch(tolerate);
      return;
    }
    // why: MySQL has no CREATE INDEX IF NOT EXISTS (MariaDB has); look the indexes up instead.
    await client.query(`${createTableSql('mysql', true)} DEFAULT CHARSET=utf8mb4`, [], ms).catch(tolerate);
    const existing = await client.query(
      "SELECT DISTINCT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'data'",
      [],
      ms,
    );
    const names = new Set(existing.map((row) => String(row.name ?? row.NAME ?? row.INDEX_NAME ?? '')));
    for (const sql of createIndexSql({ extra: true })) {
      const name = /^CREATE INDEX (\S+) ON/.exec(sql)?.[1];
      if (name !== undefined && !names.has(name)) await client.query(sql, [], ms).catch(tolerate);
    }
  }

  #unavailable(what: string, error: unknown): DriverUnavailableError {
    if (error instanceof DriverUnavailableError) return error;
    return new DriverUnavailableError(`${this.#label}: ${what}: ${(error as Error)?.message ?? error}`, error);
  }
}

function errorCode(error: unknown): unknown {
  const e = error as { code?: unknown; errno?: unknown } | undefined;
  return typeof e?.errno === 'number' ? e.errno : e?.code;
}

function compareText(a: unknown, b: unknown): number {
  const x = String(a ?? '');
  const y = String(b ?? '');
  return x < y ? -1 : x > y ? 1 : 0;
}

function projectRow(row: Row, fields: readonly string[]): TraceSummary {
  const needData = fields.some((f) => !COLUMN_NAMES.has(f));
  const data = needData ? decodeDataColumn(row.data) : undefined;
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (COLUMN_NAMES.has(field)) out[field] = row[field] ?? null;
    else if (data !== undefined && Object.hasOwn(data, field)) out[field] = data[field];
  }
  out.base_id ??= row.base_id;
  return out as TraceSummary;
}
