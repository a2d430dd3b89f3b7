// loginsight:// — Python's VMware Log Insight layout: one event per notification, the record as the `trace` field.
import { NotSupportedError } from '../../errors.js';
import { debug } from '../../log.js';
import type { Notification } from '../../core/payload.js';
import { pythonJsonDumps } from '../../propagation/python-json.js';
import { buildReport } from '../../report/build.js';
import type { Report, TraceSummary } from '../../report/types.js';
import type { Driver, TraceReader, DriverOptions } from '../driver.js';
import { deadlinesOf } from '../deadline.js';
import {
  LogInsightClient,
  parseLogInsightConnectionString,
  type LogInsightEvent,
  type LogInsightRequester,
  type LogInsightTarget,
} from './client.js';
import { storedRecord } from '../records.js';

// why: Log Insight limits the size of an ingestion request; chunks stay far below it.
const MAX_EVENTS_PER_REQUEST = 500;
const MAX_BYTES_PER_REQUEST = 1_000_000;

/**
 * The event Python's driver sends for a stored record: text `OSProfiler trace`, fields
 * base_id, trace_id, project, service, name, and `trace` = `json.dumps(record)` (Python's layout).
 */
export function logInsightEvent(record: Notification): LogInsightEvent {
  return {
    text: 'OSProfiler trace',
    fields: [
      { name: 'base_id', content: record.base_id },
      { name: 'trace_id', content: record.trace_id },
      { name: 'project', content: record.project },
      { name: 'service', content: record.service },
      { name: 'name', content: record.name },
      { name: 'trace', content: pythonJsonDumps(record) },
    ],
  };
}

/** The record of an event: its first field named `trace`, decoded; undefined when absent or not JSON. */
export function recordOfEvent(event: LogInsightEvent): Notification | undefined {
  const field = Array.isArray(event?.fields) ? event.fields.find((f) => f?.name === 'trace') : undefined;
  if (typeof field?.content !== 'string') return undefined;
  try {
    const record = JSON.parse(field.content) as unknown;
    return record !== null && typeof record === 'object' ? (record as Notification) : undefined;
  } catch {
    debug('loginsight: an event has a trace field that is not JSON');
    return undefined;
  }
}

/**
 * Writes each notification as a Log Insight event through the ingestion API (no session needed,
 * so a service never logs in; Python logs in at start) and reads a trace back with the event
 * query API. Beyond Python: events are sent in batches (Python: one request per notification),
 * the report keeps only records whose base_id equals the one asked for (`CONTAINS` is a text
 * match), and the API's TLS certificate is checked unless `?verify=false`. Listing traces is not
 * possible through this API (Python has no list either).
 * @since 0.1.0
 */
export class LogInsightDriver implements Driver, TraceReader {
  /** This store can be read back (trace show, trace list, ui). */
  readonly reader: TraceReader = this;
  readonly scheme = 'loginsight';
  readonly #client: LogInsightClient;
  readonly #options: DriverOptions;

  constructor(client: LogInsightClient, options: DriverOptions = {}) {
    this.#client = client;
    this.#options = options;
  }

  /** Where the driver writes and reads. */
  get target(): LogInsightTarget {
    return this.#client.target;
  }

  /** The ingestion request bodies' event lists for a batch, chunked. */
  eventChunks(batch: readonly Notification[]): LogInsightEvent[][] {
    const chunks: LogInsightEvent[][] = [];
    let current: LogInsightEvent[] = [];
    let bytes = 0;
    for (const payload of batch) {
      const event = logInsightEvent(storedRecord(payload, this.#options));
      const size = (event.fields![5].content as string).length * 2 + 256;
      if (current.length > 0 && (current.length >= MAX_EVENTS_PER_REQUEST || bytes + size > MAX_BYTES_PER_REQUEST)) {
        chunks.push(current);
        current = [];
        bytes = 0;
      }
      current.push(event);
      bytes += size;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  async notifyBatch(batch: readonly Notification[]): Promise<void> {
    for (const events of this.eventChunks(batch)) await this.#client.ingest(events);
  }

  async getReport(baseId: string): Promise<Report> {
    const records: Notification[] = [];
    for (const event of await this.#client.queryTrace(baseId)) {
      const record = recordOfEvent(event);
      if (record !== undefined && record.base_id === baseId) records.push(record);
    }
    return buildReport(records);
  }

  async listTraces(_fields?: readonly string[]): Promise<TraceSummary[]> {
    throw new NotSupportedError(
      `The loginsight:// driver cannot list traces; search for "OSProfiler trace" events in Log Insight's UI at ${this.target.apiBase.replace(/:\d+$/, '')}.`,
    );
  }

  async listErrorTraces(): Promise<TraceSummary[]> {
    return this.listTraces();
  }

  /** Logs in (the API's session) within `connectTimeoutMs`, or rejects saying why. */
  async connect(): Promise<void> {
    await this.#client.login();
  }

  describe(): string {
    const { host, ingestBase, apiBase } = this.target;
    return `VMware Log Insight at ${host} (ingest ${ingestBase}, queries ${apiBase})`;
  }

  close(): void {}
}

/** Test hooks of the factory: another requester, or other base URLs (a local server). */
export interface LogInsightDeps {
  request?: LogInsightRequester;
  apiBase?: string;
  ingestBase?: string;
  timeoutMs?: number;
}

/** The loginsight:// factory (registered in builtin.ts). */
export function createLogInsightDriver(
  connectionString: string,
  options: DriverOptions = {},
  deps: LogInsightDeps = {},
): LogInsightDriver {
  const target = parseLogInsightConnectionString(connectionString);
  if (deps.apiBase !== undefined) target.apiBase = deps.apiBase;
  if (deps.ingestBase !== undefined) target.ingestBase = deps.ingestBase;
  const deadlines = deadlinesOf(
    deps.timeoutMs === undefined
      ? options
      : { connectTimeoutMs: deps.timeoutMs, writeTimeoutMs: deps.timeoutMs, readTimeoutMs: deps.timeoutMs },
  );
  return new LogInsightDriver(new LogInsightClient(target, deps.request, deadlines), options);
}
