// otlp:// — sends trace points as spans to an OpenTelemetry collector over OTLP/HTTP (JSON, fetch); write-only.
import { deadlinesOf, withDeadline } from '../deadline.js';
import { runOutsideTrace } from '../../core/context.js';
import { BadConnectionStringError, DriverUnavailableError } from '../../errors.js';
import { debug, logRateLimited } from '../../log.js';
import type { Notification } from '../../core/payload.js';
import type { Driver, DriverOptions } from '../driver.js';
import { SpanAssembler, type SpanAssemblerStats } from './assembler.js';
import { buildTraceRequest, otlpTraceId, serviceName, type OtlpSpan, type SpanNaming } from './mapping.js';

/** Options of the OTLP (and Jaeger) driver, beyond every driver's. */
export interface OtlpDriverOptions extends DriverOptions {
  /** Extra HTTP headers for the collector (e.g. an API key). */
  otlpHeaders?: Record<string, string>;
  /** Time limit of one export request in ms (default: what is left of `writeTimeoutMs`, 5000, shared by the retries). */
  exportTimeoutMs?: number;
  /** Most trace points waiting for their stop (default 10,000); older ones are sent unfinished. */
  maxOpenSpans?: number;
  /** First retry delay in ms for 429/502/503/504 and network errors (default 200; doubles). */
  retryDelayMs?: number;
}

/** What an OTLP/HTTP POST answered. */
export interface OtlpHttpResponse {
  status: number;
  body: string;
  /** The `Retry-After` header, if any. */
  retryAfter?: string | null;
}

/** Sends one export request; replaceable in tests. The default uses the global fetch. */
export type OtlpSend = (
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
) => Promise<OtlpHttpResponse>;

/** POSTs with the global fetch (no dependency). */
export const fetchSend: OtlpSend = async (url, body, headers, timeoutMs) => {
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text(), retryAfter: response.headers.get('retry-after') };
};

/** How a driver built on this one presents itself (the Jaeger driver is one). */
export interface OtlpFlavour {
  scheme: string;
  /** Instrumentation scope name on every span. */
  scopeName: string;
  /** Resource attributes besides service.name. */
  resource: Record<string, unknown>;
  /** Who receives the spans, for describe() and errors ("OpenTelemetry collector"). */
  receiver: string;
  /** Where a user looks at a trace, given its OTLP trace id. */
  viewerHint: (traceId: string) => string;
  /** Span names as head's OTLP driver (`otlp`) or as Python's Jaeger driver (`point`). */
  naming: SpanNaming;
}

const OTLP_DEFAULT_PORT = '4318';
const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * The OTLP/HTTP traces URL of a connection string: `otlp://host:port[/prefix]` →
 * `http://host:port[/prefix]/v1/traces` (as Python), `otlp+https://…` → https. A missing port
 * is OTLP/HTTP's 4318, a missing host `localhost`.
 */
export function otlpEndpoint(connectionString: string, defaultPort = OTLP_DEFAULT_PORT): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(connectionString.trim());
  if (match === null) throw new BadConnectionStringError(`Cannot parse "${connectionString}" as scheme://host:port.`);
  const protocol = match[1].toLowerCase().endsWith('+https') ? 'https' : 'http';
  let url: URL;
  try {
    url = new URL(`${protocol}://${match[2] === '' || match[2].startsWith('/') ? 'localhost' + match[2] : match[2]}`);
  } catch (error) {
    throw new BadConnectionStringError(
      `Cannot parse "${connectionString}" as ${match[1]}://host:port: ${String(error)}`,
    );
  }
  // why: URL drops a scheme's default port (`:80`), so look for an explicit one in the text.
  const authority = match[2].split(/[/?#]/, 1)[0];
  if (!/:\d+$/.test(authority)) url.port = defaultPort;
  let path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/v1/traces')) path += '/v1/traces';
  return `${url.protocol}//${url.host}${path}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

/**
 * Exports every start/stop pair as one OTLP span (mapping: otlp-mapping.ts, SPEC §7) to the
 * collector with POST `/v1/traces`, one request per batch. Spans carry the payload timestamps,
 * and a stop closes the start with its trace_id. Write-only: it has no read side, and
 * unreadableReason() says where to look instead.
 * @since 0.1.0
 */
export class OtlpDriver implements Driver {
  readonly scheme: string;
  /** The URL spans are POSTed to. */
  readonly endpoint: string;
  readonly assembler: SpanAssembler;
  /** Requests that failed and spans they held. */
  readonly exportStats = { requests: 0, failedRequests: 0, spans: 0, rejectedSpans: 0 };
  readonly #options: OtlpDriverOptions;
  readonly #send: OtlpSend;
  readonly #flavour: OtlpFlavour;
  readonly #headers: Record<string, string>;

  constructor(endpoint: string, options: OtlpDriverOptions = {}, send: OtlpSend = fetchSend, flavour?: OtlpFlavour) {
    this.endpoint = endpoint;
    this.#options = options;
    this.#send = send;
    this.#flavour = flavour ?? {
      scheme: 'otlp',
      scopeName: 'osprofiler.drivers.otlp',
      resource: {},
      receiver: 'OpenTelemetry collector',
      viewerHint: (traceId) => `open trace ${traceId} in your tracing backend's UI (Jaeger, Tempo, Zipkin…)`,
      naming: 'otlp',
    };
    this.scheme = this.#flavour.scheme;
    this.assembler = new SpanAssembler(options.maxOpenSpans ?? 10_000, this.#flavour.naming);
    this.#headers = { 'content-type': 'application/json', ...(options.otlpHeaders ?? {}) };
  }

  /** Pairing counters (open, unfinished, missing starts). */
  get spanStats(): SpanAssemblerStats {
    return this.assembler.stats;
  }

  async notifyBatch(batch: readonly Notification[]): Promise<void> {
    const spans: OtlpSpan[] = [];
    for (const notification of batch) this.assembler.add(notification, spans);
    if (spans.length > 0) await this.export(spans);
  }

  /** POSTs spans as one ExportTraceServiceRequest; retries briefly on 429/502/503/504 and network errors. */
  async export(spans: OtlpSpan[]): Promise<void> {
    const resource = {
      'service.name': serviceName(this.#options.project, this.#options.service, this.#options.serviceNamePrefix),
      ...this.#flavour.resource,
    };
    const body = JSON.stringify(buildTraceRequest(spans, resource, this.#flavour.scopeName));
    // why: retries share one budget (writeTimeoutMs), so a collector that never answers fails
    // a batch within the deadline instead of three times it.
    const budgetMs = deadlinesOf(this.#options).writeMs;
    const ends = Date.now() + budgetMs;
    const perAttemptMs = this.#options.exportTimeoutMs ?? budgetMs;
    let wait = this.#options.retryDelayMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      this.exportStats.requests++;
      let response: OtlpHttpResponse;
      const timeoutMs = Math.max(1, Math.min(perAttemptMs, ends - Date.now()));
      try {
        // why: close() may run inside a traced context; the exporter's HTTP is never traced
        response = await runOutsideTrace(() =>
          withDeadline(this.#send(this.endpoint, body, this.#headers, timeoutMs), timeoutMs, this.endpoint, 'export'),
        );
      } catch (error) {
        if (attempt < 3 && Date.now() + wait < ends) {
          await delay(wait);
          wait *= 2;
          continue;
        }
        this.exportStats.failedRequests++;
        throw new DriverUnavailableError(
          `The ${this.#flavour.receiver} at ${this.endpoint} could not be reached: ${(error as Error)?.message ?? error}`,
          error,
        );
      }
      if (response.status >= 200 && response.status < 300) {
        this.exportStats.spans += spans.length;
        this.#checkPartialSuccess(response.body);
        return;
      }
      const seconds = Number(response.retryAfter);
      const retryIn = Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, 5000) : wait;
      if (RETRYABLE.has(response.status) && attempt < 3 && Date.now() + retryIn < ends) {
        await delay(retryIn);
        wait *= 2;
        continue;
      }
      this.exportStats.failedRequests++;
      throw new DriverUnavailableError(
        `The ${this.#flavour.receiver} at ${this.endpoint} answered HTTP ${response.status}: ${response.body.slice(0, 300)}`,
      );
    }
  }

  #checkPartialSuccess(body: string): void {
    if (body === '' || body === '{}') return;
    try {
      const partial = (
        JSON.parse(body) as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } }
      ).partialSuccess;
      const rejected = Number(partial?.rejectedSpans ?? 0);
      if (rejected > 0) {
        this.exportStats.rejectedSpans += rejected;
        logRateLimited(
          'warn',
          `otlp-partial:${this.endpoint}`,
          `osprofiler: the ${this.#flavour.receiver} at ${this.endpoint} rejected ${rejected} spans: ${partial?.errorMessage ?? ''}`,
        );
      }
    } catch {
      debug('otlp: response body is not JSON: %s', body.slice(0, 200));
    }
  }

  /** Write-only: where the spans can be seen instead (the receiver's backend, or one trace's page there). */
  unreadableReason(baseId?: string): string {
    const where =
      baseId === undefined
        ? `use the ${this.#flavour.receiver}'s backend UI to browse traces`
        : this.#flavour.viewerHint(otlpTraceId(baseId));
    return (
      `The ${this.scheme}:// driver only sends spans to the ${this.#flavour.receiver} at ${this.endpoint}; ` +
      `it cannot read traces back: ${where}.`
    );
  }

  describe(): string {
    return `${this.#flavour.receiver} at ${this.endpoint} (OTLP/HTTP JSON, send only; view traces in the backend's UI)`;
  }

  /** Sends the points still waiting for a stop as unfinished spans. */
  async close(): Promise<void> {
    const spans = this.assembler.drain();
    if (spans.length === 0) return;
    try {
      await this.export(spans);
    } catch (error) {
      logRateLimited('warn', `otlp-close:${this.endpoint}`, `osprofiler: ${(error as Error).message}`);
    }
  }
}

/** The otlp:// factory (registered in builtin.ts); `send` replaces fetch in tests. */
export function createOtlpDriver(
  connectionString: string,
  options: OtlpDriverOptions = {},
  send?: OtlpSend,
): OtlpDriver {
  return new OtlpDriver(otlpEndpoint(connectionString), options, send);
}
