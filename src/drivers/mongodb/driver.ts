// mongodb:// — Python's MongoDB layout (database osprofiler, collections profiler / profiler_error) on the official driver.
import { loadPeer, peerExport } from '../load-peer.js';
import { runOutsideTrace } from '../../core/context.js';
import { DriverUnavailableError } from '../../errors.js';
import { debug } from '../../log.js';
import type { Notification } from '../../core/payload.js';
import { buildReport } from '../../report/build.js';
import type { Report, TraceSummary } from '../../report/types.js';
import { redactConnectionString, type Driver, type DriverOptions, type TraceReader } from '../driver.js';
import { deadlinesOf, withDeadline, type Deadlines } from '../deadline.js';
import { earlier, storedRecord, summarize } from '../records.js';

type Doc = Record<string, unknown>;

/** The part of a mongodb Cursor/AggregationCursor the driver uses. */
export interface MongoCursorLike {
  toArray(): Promise<Doc[]>;
}

/** The part of a mongodb Collection the driver uses (the real one satisfies it). */
export interface MongoCollectionLike {
  insertMany(docs: Doc[], options: { ordered: boolean }): Promise<unknown>;
  bulkWrite(
    operations: { replaceOne: { filter: Doc; replacement: Doc; upsert: boolean } }[],
    options: { ordered: boolean },
  ): Promise<unknown>;
  find(filter: Doc, options: { projection: Doc }): MongoCursorLike;
  aggregate(pipeline: Doc[], options: { allowDiskUse: boolean }): MongoCursorLike;
  createIndex(spec: Record<string, 1>, options: { name: string }): Promise<unknown>;
}

/** The part of a MongoClient the driver uses. */
export interface MongoClientLike {
  /** Connects (a no-op when connected); after a failed attempt it starts a fresh topology. */
  connect?(): Promise<unknown>;
  db(name: string): { collection(name: string): MongoCollectionLike };
  close(): Promise<void>;
}

/** Creates the client for a connection string; replaceable in tests. */
export type MongoClientFactory = (
  connectionString: string,
  deadlines?: Deadlines,
) => MongoClientLike | Promise<MongoClientLike>;

/** Options of the MongoDB driver, beyond every driver's. */
export interface MongoDriverOptions extends DriverOptions {
  /** Database name (Python's `db_name`, default `osprofiler`; the URL path stays the auth database). */
  dbName?: string;
}

/** Sort comparator for stored timestamps. */
function byTimestamp(a: unknown, b: unknown): number {
  const x = String(a);
  const y = String(b);
  return earlier(x, y) ? -1 : earlier(y, x) ? 1 : 0;
}

/** Loads the client library; replaceable in tests. */
export type MongoModuleLoader = () => Promise<unknown>;

/**
 * A client factory that loads the `mongodb` package on first use and creates a MongoClient
 * (which connects lazily, as Python's `connect=False`).
 * @throws DriverMissingError when the package is not installed.
 */
export function mongoClientFactory(load: MongoModuleLoader = () => import('mongodb')): MongoClientFactory {
  return async (connectionString, deadlines = deadlinesOf()) => {
    const mod = await loadPeer('mongodb', 'mongodb', load);
    const MongoClient = peerExport<new (url: string, options: Record<string, number>) => MongoClientLike>(
      mod,
      'mongodb',
      'mongodb',
      'MongoClient',
    );
    return new MongoClient(connectionString, timeoutOptions(connectionString, deadlines));
  };
}

/**
 * The client's timeouts from the driver's deadlines, unless the URL sets them. why: the
 * client's defaults wait 30 s to find a server and forever for a reply.
 */
function timeoutOptions(connectionString: string, deadlines: Deadlines): Record<string, number> {
  const query = connectionString.includes('?') ? connectionString.slice(connectionString.indexOf('?') + 1) : '';
  const inUrl = new Set([...new URLSearchParams(query).keys()].map((key) => key.toLowerCase()));
  const out: Record<string, number> = {};
  const wanted: Array<[string, number]> = [
    ['serverSelectionTimeoutMS', deadlines.connectMs],
    ['connectTimeoutMS', deadlines.connectMs],
    ['socketTimeoutMS', Math.max(deadlines.readMs, deadlines.writeMs)],
  ];
  for (const [name, ms] of wanted) if (!inUrl.has(name.toLowerCase())) out[name] = ms;
  return out;
}

/**
 * Stores notifications as Python's MongoDB driver does: one document per notification
 * (`payload + project + service`) in `osprofiler.profiler`, inserted with one insertMany per
 * batch; with filterErrorTrace, `{base_id, timestamp}` upserted into `profiler_error` (Python's
 * `update(..., upsert=True)`, removed in pymongo 4, as replaceOne). Beyond Python: an index on
 * `profiler.base_id` is created once (failures ignored), and listTraces is one aggregation.
 * @since 0.1.0
 */
export class MongoDriver implements Driver, TraceReader {
  /** This store can be read back (trace show, trace list, ui). */
  readonly reader: TraceReader = this;
  readonly scheme = 'mongodb';
  readonly dbName: string;
  readonly #client: MongoClientLike;
  readonly #options: MongoDriverOptions;
  readonly #label: string;
  #indexRequested = false;
  readonly #deadlines: Deadlines;

  constructor(connectionString: string, client: MongoClientLike, options: MongoDriverOptions = {}) {
    this.#client = client;
    this.#deadlines = deadlinesOf(options);
    this.#options = options;
    this.dbName = options.dbName ?? 'osprofiler';
    this.#label = redactConnectionString(connectionString);
  }

  #collection(name: 'profiler' | 'profiler_error'): MongoCollectionLike {
    return this.#client.db(this.dbName).collection(name);
  }

  async #run<T>(what: string, fn: () => Promise<T>, ms = this.#deadlines.readMs): Promise<T> {
    try {
      // why: reads can be called from traced code (a UI handler); the store's I/O is never traced
      return await runOutsideTrace(async () => {
        await this.#connect();
        return withDeadline(fn(), ms, `MongoDB at ${this.#label}`, what);
      });
    } catch (error) {
      if (error instanceof DriverUnavailableError) throw error;
      throw new DriverUnavailableError(
        `MongoDB at ${this.#label} (database ${this.dbName}) failed to ${what}: ${(error as Error)?.message ?? error}`,
        error,
      );
    }
  }

  /**
   * Connects within `connectTimeoutMs` (at once when connected). why: after a failed first
   * attempt the official client keeps a closed topology and every later operation fails with
   * "Topology is closed"; connect() again starts a fresh one, so the store is used once it is back.
   */
  async #connect(): Promise<void> {
    const client = this.#client;
    if (client.connect === undefined) return;
    try {
      await withDeadline(client.connect(), this.#deadlines.connectMs, `MongoDB at ${this.#label}`, 'connect');
    } catch (error) {
      if (error instanceof DriverUnavailableError) throw error;
      throw new DriverUnavailableError(
        `MongoDB at ${this.#label} is unreachable: ${(error as Error)?.message ?? error}`,
        error,
      );
    }
  }

  /** Connects within `connectTimeoutMs`, or rejects saying why. */
  async connect(): Promise<void> {
    await runOutsideTrace(() => this.#connect());
  }

  async notifyBatch(batch: readonly Notification[]): Promise<void> {
    if (batch.length === 0) return;
    const docs: Doc[] = [];
    const errors: { replaceOne: { filter: Doc; replacement: Doc; upsert: boolean } }[] = [];
    for (const payload of batch) {
      const record = storedRecord(payload, this.#options);
      docs.push(record);
      const etype = (record.info as { etype?: unknown } | undefined)?.etype;
      if (this.#options.filterErrorTrace && etype !== undefined && etype !== null) {
        errors.push({
          replaceOne: {
            filter: { base_id: record.base_id },
            replacement: { base_id: record.base_id, timestamp: record.timestamp },
            upsert: true,
          },
        });
      }
    }
    if (!this.#indexRequested) {
      this.#indexRequested = true;
      void this.#ensureIndex();
    }
    await this.#run(
      'store notifications',
      async () => {
        // why: insertMany adds `_id` to the objects it gets; storedRecord made them copies.
        await this.#collection('profiler').insertMany(docs, { ordered: false });
        // ordered, so the last error of a trace wins as with Python's successive updates
        if (errors.length > 0) await this.#collection('profiler_error').bulkWrite(errors, { ordered: true });
      },
      this.#deadlines.writeMs,
    );
  }

  async #ensureIndex(): Promise<void> {
    try {
      // why: get_report filters on base_id; without an index every report scans the collection.
      await this.#collection('profiler').createIndex({ base_id: 1 }, { name: 'base_id_1' });
    } catch (error) {
      debug('mongodb: could not create the base_id index: %o', error);
    }
  }

  async getReport(baseId: string): Promise<Report> {
    const docs = await this.#run('read trace ' + baseId, () =>
      this.#collection('profiler')
        .find({ base_id: baseId }, { projection: { _id: 0 } })
        .toArray(),
    );
    return buildReport(docs as Notification[]);
  }

  /** The aggregation listTraces runs: the earliest notification of each trace, projected. */
  static listTracesPipeline(fields: readonly string[]): Doc[] {
    const projection: Doc = { _id: 0, base_id: 1, timestamp: 1 };
    for (const field of fields) if (field !== '_id') projection[field] = 1;
    return [
      { $project: projection },
      { $sort: { timestamp: 1 } },
      { $group: { _id: '$base_id', first: { $first: '$$ROOT' } } },
      { $replaceRoot: { newRoot: '$first' } },
      { $sort: { timestamp: 1 } },
    ];
  }

  async listTraces(fields: readonly string[] = ['base_id', 'timestamp']): Promise<TraceSummary[]> {
    const docs = await this.#run('list traces', () =>
      this.#collection('profiler').aggregate(MongoDriver.listTracesPipeline(fields), { allowDiskUse: true }).toArray(),
    );
    return docs.map((doc) => summarize([doc as Notification], fields));
  }

  async listErrorTraces(): Promise<TraceSummary[]> {
    const docs = await this.#run('list error traces', () =>
      this.#collection('profiler_error')
        .find({}, { projection: { base_id: 1, timestamp: 1, _id: 0 } })
        .toArray(),
    );
    const rows = docs as TraceSummary[];
    return rows.sort((a, b) => byTimestamp(a.timestamp, b.timestamp));
  }

  describe(): string {
    return `MongoDB at ${this.#label}, database ${this.dbName} (collections profiler, profiler_error)`;
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}

/** The mongodb:// factory (registered in builtin.ts); `createClient` replaces the official client in tests. */
export async function createMongoDriver(
  connectionString: string,
  options: MongoDriverOptions = {},
  createClient: MongoClientFactory = mongoClientFactory(),
): Promise<MongoDriver> {
  const client = await createClient(connectionString, deadlinesOf(options));
  return new MongoDriver(connectionString, client, options);
}
