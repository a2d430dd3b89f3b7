// The storage driver interface and the registry that maps connection-string schemes to drivers.
import { BadConnectionStringError } from '../errors.js';
import type { Notification } from '../core/payload.js';
import type { Report, TraceSummary } from '../report/types.js';
import type { TraceOverviewSource, TraceSearchSource } from './trace-overview.js';

/** Options every driver receives (Python: project, service, host, conf). */
export interface DriverOptions {
  /** Added to every stored notification as `project`. */
  project?: string;
  /** Added to every stored notification as `service`. */
  service?: string;
  /** This machine's name (defaults to os.hostname()). */
  host?: string;
  /** Record error traces separately (`filter_error_trace`). */
  filterErrorTrace?: boolean;
  /** Python's `socket_timeout` in milliseconds: Redis Sentinel's connect and reply timeout. */
  socketTimeoutMs?: number;
  /** Longest time to open a connection, handshake included (default 5000). */
  connectTimeoutMs?: number;
  /** Longest time one batch write may take (default 5000); later, it counts as failed. */
  writeTimeoutMs?: number;
  /** Longest time one read (a report, a listing) may take (default 30000). */
  readTimeoutMs?: number;
  /** Sentinel master name (`sentinel_service_name`). */
  sentinelServiceName?: string;
  /** Elasticsearch scroll keep-alive (`es_scroll_time`) and page size (`es_scroll_size`). */
  esScrollTime?: string;
  esScrollSize?: number;
  esDocType?: string;
  /** Messaging: how long reading waits for a new event before it stops. */
  idleTimeoutMs?: number;
  /** Messaging: the AMQP URL (`transport_url`). */
  transportUrl?: string;
  /** OTLP/Jaeger: prefix of the resource service.name. */
  serviceNamePrefix?: string;
  /** Jaeger: process tags. */
  processTags?: Record<string, string>;
  /** Anything a third-party driver needs. */
  [extra: string]: unknown;
}

/**
 * The read side of a store that can be read back: what the CLI, the trace browser and the
 * collector's readers use.
 * @since 0.2.0
 */
export interface TraceReader {
  /** Rebuilds one trace as a report (an empty report when the id is unknown). */
  getReport(baseId: string): Promise<Report>;
  /** One entry per trace (its earliest notification), with the requested fields. */
  listTraces(fields?: readonly string[]): Promise<TraceSummary[]>;
  /** The traces recorded with an error (needs filterErrorTrace when writing). */
  listErrorTraces(): Promise<TraceSummary[]>;
  /** One-query trace summaries, where the store can compute them (SQLite); else listTraces is used. */
  readonly overviews?: TraceOverviewSource;
  /** Filtered, paged search done by the store itself (SQLite); else the trace browser filters overviews. */
  readonly search?: TraceSearchSource;
}

/**
 * A storage driver. Writes arrive in batches from the notifier's queue, outside any trace
 * context. Stores that can be read back also expose `reader`; write-only backends (otlp,
 * jaeger, noop) have none and say where their traces can be seen instead.
 * @since 0.1.0
 */
export interface Driver {
  /** The scheme it was created for, e.g. `sqlite`. */
  readonly scheme: string;
  /** Stores a batch of notifications (the driver adds project/service). */
  notifyBatch(batch: readonly Notification[]): Promise<void> | void;
  /** A sentence naming the store, for the CLI ("SQLite file /home/u/.local/share/…"). */
  describe(): string;
  /** Batch size to use when the user set no `maxBatchSize` (e.g. smaller for drivers that write synchronously). */
  readonly preferredBatchSize?: number;
  /** How many batches the notifier may hand over before the first is stored (default 1). */
  readonly maxWritesInFlight?: number;
  /**
   * Opens the connection (handshake included) or rejects within `connectTimeoutMs`, saying why.
   * The CLI calls it before reading, so an unreachable store fails in seconds. Optional: drivers
   * without a connection (files, memory) need none.
   */
  connect?(): Promise<unknown>;
  /** Releases connections and files. */
  close(): Promise<void> | void;
  /** The read side; absent for write-only backends. */
  readonly reader?: TraceReader;
  /** A write-only backend's one sentence on why it cannot be read and where to look instead (`baseId`: one trace). */
  unreadableReason?(baseId?: string): string;
}

/** Builds a driver for a connection string; may load its client library lazily. */
export type DriverFactory = (connectionString: string, options: DriverOptions) => Driver | Promise<Driver>;

const registry = new Map<string, DriverFactory>();

/**
 * Registers a driver for a scheme (the part before `://`). A later registration replaces an
 * earlier one, so applications can override built-in drivers.
 * @since 0.1.0
 */
export function registerDriver(scheme: string, factory: DriverFactory): void {
  registry.set(scheme.toLowerCase(), factory);
}

/** The schemes that have a driver, sorted. */
export function knownSchemes(): string[] {
  return [...registry.keys()].sort();
}

/** Adds `://` to a bare scheme (`messaging` → `messaging://`), as Python does. */
export function normalizeConnectionString(connectionString: string): string {
  const text = connectionString.trim();
  return text.includes('://') ? text : `${text}://`;
}

/** The lower-case scheme of a connection string, validated against the registry. */
export function schemeOf(connectionString: string): string {
  if (typeof connectionString !== 'string' || connectionString.trim() === '') {
    throw new BadConnectionStringError('The connection string is empty.');
  }
  const normalized = normalizeConnectionString(connectionString);
  const scheme = normalized.slice(0, normalized.indexOf('://')).toLowerCase();
  if (!registry.has(scheme)) {
    throw new BadConnectionStringError(
      `Unknown connection string scheme "${scheme}" in "${redactConnectionString(normalized)}". ` +
        `Known schemes: ${knownSchemes().join(', ')}.`,
    );
  }
  return scheme;
}

/** Creates the driver for a connection string (without caching; see createNotifier). */
export async function createDriver(connectionString: string, options: DriverOptions = {}): Promise<Driver> {
  const scheme = schemeOf(connectionString);
  return registry.get(scheme)!(normalizeConnectionString(connectionString), options);
}

/** A percent-encoded part of a connection string, decoded; undefined where its encoding is malformed. */
export function decodeUrlPart(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** The error for a malformed `kind` (Redis, SQL…) connection string `text`, printed without its password. */
export function badConnectionString(kind: string, text: string, why: string): BadConnectionStringError {
  return new BadConnectionStringError(`Bad ${kind} connection string "${redactConnectionString(text)}": ${why}.`);
}

/** A percent-encoded `part` of the `kind` connection string `text`, decoded, or BadConnectionStringError. */
export function decodeConnectionPart(part: string, kind: string, text: string): string {
  const decoded = decodeUrlPart(part);
  if (decoded === undefined) throw badConnectionString(kind, text, `bad percent-encoding in "${part}"`);
  return decoded;
}

/** The connection string with any password replaced by `***`, safe to print. */
export function redactConnectionString(connectionString: string): string {
  return connectionString.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}
