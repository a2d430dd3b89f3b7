// The Elasticsearch/OpenSearch client the elasticsearch:// driver uses: the official client, loaded lazily, plain JSON.
import { loadPeer } from '../load-peer.js';
import { BadConnectionStringError } from '../../errors.js';
import { deadlinesOf, type Deadlines } from '../deadline.js';

/** One search page (the parts the driver reads). */
export interface EsSearchResponse {
  _scroll_id?: string;
  hits?: { hits?: { _source?: Record<string, unknown> }[] };
}

/** A bulk answer (the parts the driver reads). */
export interface EsBulkResponse {
  errors?: boolean;
  items?: Record<string, { status?: number; error?: { type?: string; reason?: string } | string }>[];
}

/** What `GET /` answers (Elasticsearch and OpenSearch alike). */
export interface EsRootInfo {
  name?: string;
  cluster_name?: string;
  version?: { number?: string; distribution?: string; build_flavor?: string };
  tagline?: string;
}

/** Per-request options of the official client (milliseconds; no retries for writes). */
export interface EsRequestOptions {
  requestTimeout?: number;
  maxRetries?: number;
}

/** The calls the driver makes; the official Client (8.x) satisfies it. */
export interface EsClientLike {
  info(params?: Record<string, never>, options?: EsRequestOptions): Promise<EsRootInfo>;
  bulk(params: { operations: Record<string, unknown>[] }, options?: EsRequestOptions): Promise<EsBulkResponse>;
  search(
    params: {
      index: string;
      scroll: string;
      size: number;
      query: Record<string, unknown>;
      sort: unknown[];
      _source?: string[];
    },
    options?: EsRequestOptions,
  ): Promise<EsSearchResponse>;
  scroll(params: { scroll_id: string; scroll: string }, options?: EsRequestOptions): Promise<EsSearchResponse>;
  clearScroll(params: { scroll_id: string }): Promise<unknown>;
  close(): Promise<void>;
}

/** Creates the client for a node URL (`http://host:9200`); replaceable in tests. */
export type EsClientFactory = (nodeUrl: string, deadlines?: Deadlines) => EsClientLike | Promise<EsClientLike>;

/** Loads the client library; replaceable in tests. */
export type EsModuleLoader = () => Promise<unknown>;

/**
 * The node URL of a connection string: `elasticsearch://host:port[/path]` → `http://host:port[/path]`
 * (Python replaces the scheme by http), `elasticsearch+https://…` → https. Credentials in the
 * URL (`user:password@`) are kept: the client sends them as basic auth.
 */
export function esNodeUrl(connectionString: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.+)$/i.exec(connectionString.trim());
  if (match === null) {
    throw new BadConnectionStringError(`The elasticsearch:// connection string needs a host: "${connectionString}".`);
  }
  const protocol = match[1].toLowerCase().endsWith('+https') ? 'https' : 'http';
  const url = `${protocol}://${match[2]}`;
  try {
    new URL(url);
  } catch (error) {
    throw new BadConnectionStringError(
      `Cannot parse "${connectionString}" as elasticsearch://host:port: ${String(error)}`,
    );
  }
  return url.replace(/\/+$/, '');
}

/** A parsed `GET /` answer. */
export interface EsServer {
  /** `Elasticsearch` or `OpenSearch` (as the server says). */
  product: 'Elasticsearch' | 'OpenSearch';
  version: string;
  major: number;
  cluster: string;
  /**
   * Write with the mapping type (`_type: es_doc_type`) so Python's driver, which searches
   * `/<index>/<doc_type>/_search`, finds our documents: Elasticsearch ≤ 7 and OpenSearch 1.x.
   */
  useDocType: boolean;
  /** Inside the range this driver is tested for (Elasticsearch 7–9, OpenSearch 1–3). */
  supported: boolean;
}

/** Reads product, version and cluster from `GET /`. */
export function parseServerInfo(info: EsRootInfo): EsServer {
  const version = String(info?.version?.number ?? 'unknown');
  const major = Number.parseInt(version, 10);
  const opensearch = info?.version?.distribution === 'opensearch';
  return {
    product: opensearch ? 'OpenSearch' : 'Elasticsearch',
    version,
    major: Number.isNaN(major) ? 0 : major,
    cluster: String(info?.cluster_name ?? 'unknown'),
    useDocType: opensearch ? major < 2 : major <= 7,
    supported: opensearch ? major >= 1 && major <= 3 : major >= 7 && major <= 9,
  };
}

type TransportClass = new (options: Record<string, unknown>) => object;
interface EsModule {
  Client: new (options: Record<string, unknown>) => unknown;
  SniffingTransport: TransportClass;
}

/**
 * A factory that loads `@elastic/elasticsearch` (8.x) on first use and creates its Client with
 * a transport that speaks plain JSON. why: the 8.x client sends `compatible-with=8` media types,
 * which Elasticsearch 7 rejects, and refuses any server that lacks the `X-Elastic-Product`
 * header (OpenSearch, Elasticsearch < 7.14); the driver identifies the server itself with
 * `GET /`. Plain `application/json` is accepted by Elasticsearch 7, 8, 9 and OpenSearch.
 * @throws DriverMissingError when the package is not installed.
 */
export function esClientFactory(load: EsModuleLoader = () => import('@elastic/elasticsearch')): EsClientFactory {
  return async (nodeUrl, deadlines = deadlinesOf()) => {
    const mod = (await loadPeer('elasticsearch', '@elastic/elasticsearch', load)) as unknown as EsModule;
    const Base = mod.SniffingTransport;
    class PlainJsonTransport extends Base {
      constructor(options: Record<string, unknown>) {
        super({
          ...options,
          productCheck: undefined,
          vendoredHeaders: {
            jsonContentType: 'application/json',
            ndjsonContentType: 'application/x-ndjson',
            accept: 'application/json, text/plain',
          },
        });
      }
    }
    // why: the client's defaults (30 s per request, 3 retries) held a flush for minutes; each
    // request gets the driver's deadline instead, and the next batch is the retry.
    return new mod.Client({
      node: nodeUrl,
      name: 'osprofiler',
      Transport: PlainJsonTransport,
      requestTimeout: Math.max(deadlines.readMs, deadlines.writeMs),
      maxRetries: 0,
    }) as EsClientLike;
  };
}
