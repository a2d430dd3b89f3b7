// sqlite:// — the embedded default store on better-sqlite3: Python's SQL table layout, WAL, batched inserts.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadSqlite } from './library.js';
import type BetterSqlite3 from 'better-sqlite3';
import { BadConnectionStringError, DriverUnavailableError, OsprofilerError } from '../../errors.js';
import { openReader } from './open-reader.js';
import { getHostname } from '../../core/host.js';
import { logRateLimited } from '../../log.js';
import type { Notification } from '../../core/payload.js';
import type { Report, TraceSummary } from '../../report/types.js';
import { describeStore, parseSqliteConnectionString, type SqliteLocation } from './default-location.js';
import type { Driver, TraceReader, DriverOptions } from '../driver.js';
import { SQL_COLUMNS, SqlReportReader, createIndexSql, createTableSql, decodeDataColumn } from '../sql/layout.js';
import { configureWriter, createBatchInserter } from './insert.js';
import { BatchEncoder, type EncodedBatch } from './encoded-batch.js';
import { SqliteWriterThread } from './writer.js';
import { overviewSql, toOverview } from './overview.js';
import type {
  TraceOverview,
  TraceOverviewOptions,
  TraceOverviewSource,
  TraceSearchPage,
  TraceSearchQuery,
  TraceSearchSource,
} from '../trace-overview.js';
import { searchSqliteTraces } from './search.js';
import { readReportRows } from './report-rows.js';

/** Options of the SQLite driver, beyond every driver's. */
export interface SqliteDriverOptions extends DriverOptions {
  /** Fail when the file does not exist instead of creating it (readers such as the CLI). */
  fileMustExist?: boolean;
  /** Open read-only: no schema creation, no writes. */
  readonly?: boolean;
  /** How long a write waits for another process's lock, in ms (default 5000). */
  busyTimeoutMs?: number;
  /**
   * Where writes run: `'thread'` (the default for a file) on a writer thread of the driver's own,
   * so no database work blocks the event loop; `'inline'` on the calling thread (always the case
   * for an in-memory database, which other threads cannot open).
   */
  writer?: 'thread' | 'inline';
}

/** Counters of one driver. */
export interface SqliteDriverStats {
  /** Notifications that could not be turned into a row (circular info) and were left out. */
  unwritable: number;
  /** Rows skipped by the last getReport (corrupt `data`, unparsable timestamp). */
  lastReportSkipped: number;
}

type Db = BetterSqlite3.Database;
type Row = Record<string, unknown>;

const COLUMN_NAMES = new Set(SQL_COLUMNS.map((c) => c.name));
/**
 * Indexes of the SQLite store: `ix_data_base_id` (getReport reads a trace in id order from it),
 * `ix_data_timestamp` (the trace browser's search walks it newest first: timestamps arrive
 * nearly in order, so it grows at its right edge and costs inserts little) and the composite one
 * listTraces reads. why: Python's other `ix_data_<column>` indexes serve
 * no query here and made inserts several times slower (the random trace_id / parent_id keys
 * most of all); Python's driver neither needs nor checks them, and a file that already has
 * them keeps them.
 */
const SQLITE_INDEXES = createIndexSql({ ifNotExists: true, extra: true, columns: ['base_id', 'timestamp'] });
/** The table and the index names the DDL above creates. */
const SCHEMA_OBJECTS = ['data', ...SQLITE_INDEXES.map((sql) => /INDEX IF NOT EXISTS (\w+)/.exec(sql)![1]!)];

/** True when the `data` table and our indexes exist (a read: no write lock needed). */
function schemaPresent(db: Db): boolean {
  const placeholders = SCHEMA_OBJECTS.map(() => '?').join(', ');
  const found = db.prepare(`SELECT name FROM sqlite_master WHERE name IN (${placeholders})`).all(...SCHEMA_OBJECTS);
  return found.length === SCHEMA_OBJECTS.length;
}

/**
 * The SQLite store. One row per notification in Python's `data` table (so Python's SQL driver,
 * pointed at the same file through SQLAlchemy, reads what we write and the other way round).
 * WAL journal and a busy timeout let several service processes write one file at once; each
 * batch is one transaction of multi-row INSERTs. Reads use indexed queries only.
 * @since 0.1.0
 */
export class SqliteDriver implements Driver, TraceReader, TraceOverviewSource, TraceSearchSource {
  /** This store can be read back (trace show, trace list, ui). */
  readonly reader: TraceReader = this;
  /** One-query trace summaries. */
  readonly overviews: TraceOverviewSource = this;
  /** Filtered, paged search over the timestamp index (`osprofiler ui`). */
  readonly search: TraceSearchSource = this;
  readonly scheme = 'sqlite';
  /**
   * why: written inline, better-sqlite3 blocks the event loop for the whole batch: 250 rows take
   * ~1.3 ms here against ~5 ms for 1,000, at about the same rows/s. On the writer thread a batch
   * still costs the event loop its encoding and one message (~0.7 ms for 250 rows), so the same
   * size keeps those bursts short.
   */
  readonly preferredBatchSize = 250;
  /**
   * why: with a writer thread, the event loop encodes the next batch while the thread stores the
   * last one; inline writes are synchronous anyway.
   */
  get maxWritesInFlight(): number {
    return this.#writerThread === undefined || this.#writerThread.inlineOnly ? 1 : 2;
  }
  /** `:memory:` or the absolute path of the file. */
  readonly path: string;
  readonly stats: SqliteDriverStats = { unwritable: 0, lastReportSkipped: 0 };
  readonly #db: Db;
  readonly #connectionString: string;
  readonly #encoder: BatchEncoder;
  #insertInline: ((batch: EncodedBatch) => void) | undefined;
  readonly #writerThread: SqliteWriterThread | undefined;
  #closed = false;

  /**
   * Opens (creating the file, its folder and the table unless told otherwise) the database at
   * `location`. Throws DriverUnavailableError when it cannot be opened.
   */
  constructor(location: SqliteLocation, options: SqliteDriverOptions = {}, connectionString?: string) {
    this.path = location.path;
    this.#connectionString = connectionString ?? (location.memory ? 'sqlite://' : `sqlite:///${location.path}`);
    this.#encoder = new BatchEncoder({
      project: options.project ?? null,
      host: options.host ?? getHostname(),
      service: options.service ?? null,
    });
    const readonly = options.readonly === true || location.params.get('mode') === 'ro';
    const mustExist = options.fileMustExist === true || readonly;
    let created = false;
    if (!location.memory) {
      if (mustExist && !existsSync(location.path)) {
        throw new DriverUnavailableError(
          `The SQLite file ${location.path} does not exist (nothing has been stored there yet).`,
        );
      }
      created = !existsSync(location.path);
      // why: traces can hold SQL parameters and request paths, so a folder we create is private.
      if (created) mkdirIfMissing(dirname(location.path));
    }
    try {
      this.#db =
        readonly && !location.memory
          ? openReader(location.path, options.busyTimeoutMs ?? 5000)
          : new (loadSqlite())(location.path, {
              readonly,
              fileMustExist: mustExist,
              timeout: options.busyTimeoutMs ?? 5000,
            });
    } catch (error) {
      if (error instanceof OsprofilerError) throw error;
      throw new DriverUnavailableError(
        `Cannot open the SQLite file ${location.path}: ${(error as Error).message}`,
        error,
      );
    }
    if (created) {
      try {
        chmodSync(location.path, 0o600);
      } catch {
        // a file system without permissions (or a race with another creator): nothing to protect
      }
    }
    const inline = location.memory || options.writer === 'inline';
    this.#writerThread =
      readonly || inline
        ? undefined
        : new SqliteWriterThread({ path: location.path, busyTimeoutMs: options.busyTimeoutMs ?? 5000 }, (batch) =>
            this.#writeInline(batch),
          );
    try {
      if (!readonly) this.#prepareSchema();
    } catch (error) {
      this.#db.close();
      throw new DriverUnavailableError(
        `Cannot set up the SQLite file ${location.path}: ${(error as Error).message}`,
        error,
      );
    }
  }

  #prepareSchema(): void {
    const db = this.#db;
    configureWriter(db);
    // why: the DDL needs the write lock; a service starting while others write the same file would
    // wait for it (up to the busy timeout, on the event loop) although the schema is there already.
    if (schemaPresent(db)) return;
    // why: one IMMEDIATE transaction, so processes starting together do not race on the DDL.
    db.transaction(() => {
      db.exec(createTableSql('sqlite', true));
      for (const sql of SQLITE_INDEXES) db.exec(sql);
    }).immediate();
  }

  /** Stores one notification (a batch of one). */
  notify(payload: Notification): Promise<void> | void {
    return this.notifyBatch([payload]);
  }

  /**
   * Stores a batch in one transaction: on the writer thread (the returned promise settles once it
   * is committed) or inline. A notification that cannot be encoded is left out and counted; a
   * database error (locked past the timeout, disk full) rejects or throws, so the notifier counts
   * the batch as failed.
   */
  notifyBatch(batch: readonly Notification[]): Promise<void> | void {
    if (this.#closed) throw new DriverUnavailableError(`The SQLite store ${this.path} is closed.`);
    const encoder = this.#encoder;
    for (const payload of batch) {
      try {
        encoder.add(payload);
      } catch (error) {
        this.stats.unwritable++;
        logRateLimited(
          'warn',
          `sqlite-encode:${this.path}`,
          `osprofiler: a notification could not be stored: ${(error as Error)?.message}`,
        );
      }
    }
    const rows = encoder.take();
    if (rows === undefined) return;
    if (this.#writerThread !== undefined) return this.#writerThread.write(rows);
    this.#writeInline(rows);
  }

  #writeInline(batch: EncodedBatch): void {
    (this.#insertInline ??= createBatchInserter(this.#db))(batch);
  }

  /** The report of one trace, read in pages of one indexed query each, in one snapshot (an empty report if unknown). */
  async getReport(baseId: string): Promise<Report> {
    const reader = new SqlReportReader();
    const { read, stoppedBy } = readReportRows(this.#db, String(baseId), reader);
    if (stoppedBy !== undefined) {
      // why: a damaged file fails the query at the first bad page; the rows before it are good,
      // and showing them (saying what happened) beats showing nothing.
      logRateLimited(
        'warn',
        `sqlite-read-damaged:${this.path}`,
        `osprofiler: reading trace ${baseId} stopped at damage in ${this.path} (${stoppedBy.message}); showing the ${read} row(s) read before it`,
      );
    }
    this.stats.lastReportSkipped = reader.skipped;
    if (reader.skipped > 0) {
      logRateLimited(
        'warn',
        `sqlite-read:${this.path}`,
        `osprofiler: ${reader.skipped} corrupt row(s) of trace ${baseId} skipped`,
      );
    }
    return reader.build();
  }

  /**
   * One entry per trace: `fields` of its earliest row (one `GROUP BY base_id` with `MIN(timestamp)`),
   * oldest trace first. Column names are read from the row; other names from its `data` dict.
   */
  async listTraces(fields: readonly string[] = ['base_id', 'timestamp']): Promise<TraceSummary[]> {
    const extra = fields.filter((f) => f !== 'base_id' && f !== 'timestamp');
    const columns = extra.filter((f) => COLUMN_NAMES.has(f) && f !== 'data');
    const needData = extra.some((f) => !COLUMN_NAMES.has(f) || f === 'data');
    // why: with exactly one MIN() aggregate, SQLite takes bare columns from the row holding the minimum.
    const bare = [...columns, ...(needData ? ['data'] : [])].filter((c, i, all) => all.indexOf(c) === i);
    const select = ['base_id', 'MIN(timestamp) AS timestamp', ...bare].join(', ');
    const rows = this.#db
      .prepare<[], Row>(`SELECT ${select} FROM data WHERE base_id IS NOT NULL GROUP BY base_id ORDER BY 2, 1`)
      .all();
    return rows.map((row) => {
      const data = needData ? decodeDataColumn(row.data) : undefined;
      const out: Record<string, unknown> = {};
      for (const field of fields) {
        if (COLUMN_NAMES.has(field) && field !== 'data') out[field] = row[field] ?? null;
        else if (field === 'data') out.data = row.data ?? null;
        else if (data !== undefined && Object.hasOwn(data, field)) out[field] = data[field];
      }
      out.base_id ??= row.base_id;
      return out as TraceSummary;
    });
  }

  /** Traces with an error stop (`info.etype`), found from the stored data (no filter needed at write time). */
  async listErrorTraces(): Promise<TraceSummary[]> {
    const overviews = await this.listTraceOverviews({ errorsOnly: true });
    return overviews.map((o) => ({ base_id: o.base_id, timestamp: o.timestamp }));
  }

  /** Per-trace summary (start, duration, services, span count, error) from one aggregate query. */
  async listTraceOverviews(options: TraceOverviewOptions = {}): Promise<TraceOverview[]> {
    const limit = options.limit !== undefined && options.limit >= 0 ? Math.floor(options.limit) : -1;
    const rows = this.#db
      .prepare<[number], Record<string, unknown>>(overviewSql(options.errorsOnly === true))
      .all(limit);
    return rows.reverse().map(toOverview);
  }

  /** One page of traces matching `query`, newest first (see drivers/sqlite/search.ts). */
  async searchTraces(query: TraceSearchQuery): Promise<TraceSearchPage> {
    return searchSqliteTraces(this.#db, query);
  }

  /** Number of traces stored. */
  async countTraces(): Promise<number> {
    const row = this.#db.prepare<[], { n: number }>('SELECT COUNT(DISTINCT base_id) AS n FROM data').get();
    return row?.n ?? 0;
  }

  /** "SQLite file /path (the default store)" or "SQLite in-memory database". */
  describe(): string {
    return describeStore(this.#connectionString);
  }

  /**
   * Closes the store (idempotent): waits for the writer thread's last write and stops it, then
   * closes the database; in WAL mode the last closer checkpoints the log.
   */
  close(): Promise<void> | void {
    if (this.#closed) return;
    this.#closed = true;
    const thread = this.#writerThread;
    if (thread === undefined) return void this.#db.close();
    return thread.close().finally(() => this.#db.close());
  }
}

function mkdirIfMissing(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DriverUnavailableError(
      `Cannot create the folder ${dir} for the SQLite store: ${(error as Error).message}`,
      error,
    );
  }
}

/**
 * Creates the SQLite driver for `sqlite://` (in memory), `sqlite:///relative.db` or
 * `sqlite:////absolute/path.db` (SQLAlchemy's forms). Creates the folder and file unless
 * `fileMustExist`/`readonly`. Throws BadConnectionStringError for another form and
 * DriverUnavailableError when the file cannot be opened.
 * @since 0.1.0
 */
export function createSqliteDriver(connectionString: string, options: SqliteDriverOptions = {}): SqliteDriver {
  const location = parseSqliteConnectionString(connectionString);
  if (location === undefined) {
    throw new BadConnectionStringError(
      `Not a SQLite connection string: "${connectionString}" (use sqlite:///relative.db, sqlite:////absolute/path.db or sqlite://).`,
    );
  }
  return new SqliteDriver(location, options, connectionString);
}
