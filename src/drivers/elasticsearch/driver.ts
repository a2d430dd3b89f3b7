// elasticsearch:// — Python's Elasticsearch layout (osprofiler-notifications / -error) over the official client; ES 7–9, OpenSearch.
import { runOutsideTrace } from '../../core/context.js';
import { DriverUnavailableError } from '../../errors.js';
import { debug, logRateLimited } from '../../log.js';
import type { Notification } from '../../core/payload.js';
import { buildReport } from '../../report/build.js';
import type { Report, TraceSummary } from '../../report/types.js';
import { redactConnectionString, type Driver, type DriverOptions, type TraceReader } from '../driver.js';
import {
  esClientFactory,
  esNodeUrl,
  parseServerInfo,
  type EsClientFactory,
  type EsClientLike,
  type EsRequestOptions,
  type EsServer,
} from './client.js';
import { deadlinesOf, withDeadline, type Deadlines } from '../deadline.js';
import { earlier, storedRecord, summarize } from '../records.js';

/** Index of the notifications (Python's `index_name` default). */
export const ES_INDEX = 'osprofiler-notifications';
/** Index of the error traces. */
export const ES_ERROR_INDEX = 'osprofiler-notifications-error';

type Doc = Record<string, unknown>;

function isIndexMissing(error: unknown): boolean {
  const e = error as { meta?: { statusCode?: number }; statusCode?: number; message?: string } | null;
  return (e?.meta?.statusCode ?? e?.statusCode) === 404 || /index_not_found_exception/.test(String(e?.message));
}

function byTimestamp(a: unknown, b: unknown): number {
  const x = String(a);
  const y = String(b);
  return earlier(x, y) ? -1 : earlier(y, x) ? 1 : 0;
}

/**
 * Stores notifications in Python's layout: each notification (`payload + project + service`)
 * as a document of `osprofiler-notifications`, `{base_id, timestamp}` per error notification in
 * `osprofiler-notifications-error` (with filterErrorTrace). Beyond Python: one `_bulk` request per
 * batch; Elasticsearch 8/9 and OpenSearch 2+ (no mapping types) work, and on Elasticsearch ≤ 7 /
 * OpenSearch 1 documents keep Python's type (`es_doc_type`) so Python's driver reads them; the
 * report query matches the exact base id (Python's `match` query also returns other traces
 * that share a uuid group); listTraces works (Python's raises). The server and its version are
 * read with `GET /` and shown by describe(); versions outside 7–9 / OpenSearch 1–3 get a warning.
 * @since 0.1.0
 */
export class ElasticsearchDriver implements Driver, TraceReader {
  /** This store can be read back (trace show, trace list, ui). */
  readonly reader: TraceReader = this;
  readonly scheme = 'elasticsearch';
  readonly nodeUrl: string;
  readonly #client: EsClientLike;
  readonly #options: DriverOptions;
  #server: EsServer | undefined;
  #probing: Promise<EsServer> | undefined;
  readonly #deadlines: Deadlines;

  constructor(nodeUrl: string, client: EsClientLike, options: DriverOptions = {}) {
    this.nodeUrl = redactConnectionString(nodeUrl);
    this.#client = client;
    this.#deadlines = deadlinesOf(options);
    this.#options = options;
  }

  /** The server, once `GET /` answered. */
  get server(): EsServer | undefined {
    return this.#server;
  }

  /** Identifies the server with `GET /` (once; retried after a failure), within `connectTimeoutMs`. */
  async connect(): Promise<EsServer> {
    if (this.#server !== undefined) return this.#server;
    this.#probing ??= this.#probe().finally(() => (this.#probing = undefined));
    return this.#probing;
  }

  async #probe(): Promise<EsServer> {
    let server: EsServer;
    try {
      // why: the factory may run inside a traced request; the store's own I/O is never traced
      const ms = this.#deadlines.connectMs;
      server = parseServerInfo(
        await runOutsideTrace(() =>
          withDeadline(
            this.#client.info(undefined, { requestTimeout: ms, maxRetries: 0 }),
            ms,
            `Elasticsearch at ${this.nodeUrl}`,
            'GET /',
          ),
        ),
      );
    } catch (error) {
      throw new DriverUnavailableError(
        `Cannot reach Elasticsearch/OpenSearch at ${this.nodeUrl}: ${(error as Error)?.message ?? error}`,
        error,
      );
    }
    this.#server = server;
    debug('elasticsearch: %s', this.describe());
    if (!server.supported) {
      logRateLimited(
        'warn',
        `es-version:${this.nodeUrl}`,
        `osprofiler: ${this.nodeUrl} is ${server.product} ${server.version}; the elasticsearch:// driver ` +
          `supports Elasticsearch 7–9 and OpenSearch 1–3, so requests may fail.`,
      );
    }
    return server;
  }

  get #scroll(): string {
    return this.#options.esScrollTime ?? '2m';
  }

  get #size(): number {
    return this.#options.esScrollSize ?? 10_000;
  }

  /** The `_bulk` operations for a batch: an index action and the document, per document. */
  bulkOperations(batch: readonly Notification[], server: EsServer): Doc[] {
    const type = server.useDocType ? { _type: this.#options.esDocType ?? 'notification' } : {};
    const operations: Doc[] = [];
    for (const payload of batch) {
      const record = storedRecord(payload, this.#options);
      operations.push({ index: { _index: ES_INDEX, ...type } }, record);
      const etype = (record.info as { etype?: unknown } | undefined)?.etype;
      if (this.#options.filterErrorTrace && etype !== undefined && etype !== null) {
        operations.push(
          { index: { _index: ES_ERROR_INDEX, ...type } },
          { base_id: record.base_id, timestamp: record.timestamp },
        );
      }
    }
    return operations;
  }

  async notifyBatch(batch: readonly Notification[]): Promise<void> {
    if (batch.length === 0) return;
    const server = await this.connect();
    const operations = this.bulkOperations(batch, server);
    let response;
    try {
      const ms = this.#deadlines.writeMs;
      response = await withDeadline(
        this.#client.bulk({ operations }, { requestTimeout: ms, maxRetries: 0 }),
        ms,
        this.#who(),
        `bulk request of ${batch.length} notifications`,
      );
    } catch (error) {
      if (error instanceof DriverUnavailableError) throw error;
      throw new DriverUnavailableError(
        `${this.#who()} refused the bulk request: ${(error as Error)?.message ?? error}`,
        error,
      );
    }
    if (response?.errors) {
      const failed = (response.items ?? []).map((item) => Object.values(item)[0]).filter((r) => r?.error !== undefined);
      const first = failed[0]?.error;
      const reason = typeof first === 'string' ? first : `${first?.type ?? 'error'}: ${first?.reason ?? ''}`;
      throw new DriverUnavailableError(
        `${this.#who()} refused ${failed.length} of ${operations.length / 2} documents: ${reason}`,
      );
    }
  }

  /** The report query: the exact base id, whatever the mapping (text with `.keyword`, or keyword). */
  static reportQuery(baseId: string): Doc {
    return { bool: { filter: [{ match_phrase: { base_id: baseId } }] } };
  }

  /** Every `_source` of a scrolled search, page by page; an index that does not exist is empty. */
  async scrollAll(index: string, query: Doc, source?: string[]): Promise<Doc[]> {
    await this.connect();
    const out: Doc[] = [];
    let scrollId: string | undefined;
    // why: one deadline for the whole read (all pages), each request bounded by what is left of it.
    const ends = Date.now() + this.#deadlines.readMs;
    const left = (): number => Math.max(1, ends - Date.now());
    const page = <T>(request: (options: EsRequestOptions) => Promise<T>): Promise<T> => {
      const ms = left();
      return withDeadline(request({ requestTimeout: ms }), ms, this.#who(), `search ${index}`);
    };
    try {
      let next = await page((options) =>
        this.#client.search(
          {
            index,
            scroll: this.#scroll,
            size: this.#size,
            query,
            sort: ['_doc'],
            ...(source !== undefined ? { _source: source } : {}),
          },
          options,
        ),
      );
      for (;;) {
        scrollId = next._scroll_id ?? scrollId;
        const hits = next.hits?.hits ?? [];
        for (const hit of hits) if (hit._source !== undefined) out.push(hit._source);
        if (hits.length === 0 || scrollId === undefined) break;
        const id = scrollId;
        next = await page((options) => this.#client.scroll({ scroll_id: id, scroll: this.#scroll }, options));
      }
    } catch (error) {
      if (isIndexMissing(error)) return out;
      if (error instanceof DriverUnavailableError) throw error;
      throw new DriverUnavailableError(
        `${this.#who()} failed to search ${index}: ${(error as Error)?.message ?? error}`,
        error,
      );
    } finally {
      // why: Python never clears its scrolls; each holds server resources until it times out.
      if (scrollId !== undefined) {
        const clear = this.#client.clearScroll({ scroll_id: scrollId });
        await withDeadline(clear, this.#deadlines.connectMs, this.#who(), 'clear scroll').catch(() => undefined);
      }
    }
    return out;
  }

  async getReport(baseId: string): Promise<Report> {
    const docs = await runOutsideTrace(() => this.scrollAll(ES_INDEX, ElasticsearchDriver.reportQuery(baseId)));
    // why: a text mapping's phrase match is exact in practice; the filter makes it exact always.
    return buildReport(docs.filter((doc) => doc.base_id === baseId) as Notification[]);
  }

  async listTraces(fields: readonly string[] = ['base_id', 'timestamp']): Promise<TraceSummary[]> {
    const source = [...new Set(['base_id', 'timestamp', ...fields])];
    return this.#earliestPerTrace(
      await runOutsideTrace(() => this.scrollAll(ES_INDEX, { match_all: {} }, source)),
      fields,
    );
  }

  async listErrorTraces(): Promise<TraceSummary[]> {
    const fields = ['base_id', 'timestamp'];
    const docs = await runOutsideTrace(() => this.scrollAll(ES_ERROR_INDEX, { match_all: {} }, fields));
    return this.#earliestPerTrace(docs, fields);
  }

  #earliestPerTrace(docs: Doc[], fields: readonly string[]): TraceSummary[] {
    const first = new Map<unknown, Doc>();
    for (const doc of docs) {
      const seen = first.get(doc.base_id);
      if (seen === undefined || earlier(String(doc.timestamp), String(seen.timestamp))) first.set(doc.base_id, doc);
    }
    return [...first.values()]
      .sort((a, b) => byTimestamp(a.timestamp, b.timestamp))
      .map((doc) => summarize([doc as Notification], fields));
  }

  #who(): string {
    const s = this.#server;
    return s === undefined ? `Elasticsearch at ${this.nodeUrl}` : `${s.product} ${s.version} at ${this.nodeUrl}`;
  }

  describe(): string {
    const s = this.#server;
    const where =
      s === undefined
        ? `Elasticsearch/OpenSearch at ${this.nodeUrl} (not reached yet)`
        : `${this.#who()} (cluster ${s.cluster})`;
    return `${where}, indexes ${ES_INDEX} and ${ES_ERROR_INDEX}`;
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}

/**
 * The elasticsearch:// factory (registered in builtin.ts). It starts asking the server who it
 * is in the background and does not wait: a store that is down or silent must neither delay
 * the service nor stop the driver from starting (the first write or connect() says why, and
 * joins the question already asked).
 */
export async function createElasticsearchDriver(
  connectionString: string,
  options: DriverOptions = {},
  createClient: EsClientFactory = esClientFactory(),
): Promise<ElasticsearchDriver> {
  const nodeUrl = esNodeUrl(connectionString);
  const driver = new ElasticsearchDriver(nodeUrl, await createClient(nodeUrl, deadlinesOf(options)), options);
  driver.connect().catch((error: unknown) => debug('elasticsearch: %s', (error as Error)?.message));
  return driver;
}
