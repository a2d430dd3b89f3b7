// The Log Insight REST calls the loginsight:// driver makes (as Python's driver): session login, ingest, event query.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { runOutsideTrace } from '../../core/context.js';
import { BadConnectionStringError, DriverUnavailableError } from '../../errors.js';
import { pythonJsonDumps } from '../../propagation/python-json.js';
import { deadlinesOf, withDeadline, type Deadlines } from '../deadline.js';
import { decodeUrlPart } from '../driver.js';

/** The ingest agent id Python's driver uses. */
export const LOGINSIGHT_AGENT_ID = 'F52D775B-6017-4787-8C8A-F21AE0AEC057';
/** Log Insight's HTTP (ingest) and HTTPS (API) ports. */
export const LOGINSIGHT_HTTP_PORT = 9000;
export const LOGINSIGHT_HTTPS_PORT = 9543;

/** One HTTP request. */
export interface LogInsightRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Check the server's TLS certificate (Python never does: `verify=False`). */
  verifyTls: boolean;
  timeoutMs: number;
}

/** One HTTP answer. */
export interface LogInsightResponse {
  status: number;
  statusText: string;
  body: string;
}

/** Performs a request; replaceable in tests. */
export type LogInsightRequester = (request: LogInsightRequest) => Promise<LogInsightResponse>;

/** The default requester: node:http / node:https (a GET carries a body, as Python sends `{}`). */
export const httpRequester: LogInsightRequester = (req) =>
  new Promise((resolve, reject) => {
    const https = req.url.startsWith('https:');
    const send = https ? httpsRequest : httpRequest;
    const body = Buffer.from(req.body, 'utf8');
    const headers = { ...req.headers, 'content-length': String(body.length) };
    const options = https
      ? { method: req.method, headers, rejectUnauthorized: req.verifyTls }
      : { method: req.method, headers };
    const request = send(req.url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    request.setTimeout(req.timeoutMs, () => request.destroy(new Error(`no answer within ${req.timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });

/** Where and as whom the driver talks to Log Insight. */
export interface LogInsightTarget {
  username: string | undefined;
  password: string | undefined;
  /** The host as written in URLs (an IPv6 literal in brackets). */
  host: string;
  /** `https://<host>:9543`: login and queries. */
  apiBase: string;
  /** `http://<host>:9000`: ingestion (no authentication). */
  ingestBase: string;
  verifyTls: boolean;
}

/**
 * Parses `loginsight://<user>:<password>@<host>` (credentials URL-encoded, as Python unquotes
 * them; a port is ignored, as Python's). Beyond Python: `?verify=false` turns off the TLS check
 * of the API port (Python never checks; we do unless told not to).
 */
export function parseLogInsightConnectionString(connectionString: string): LogInsightTarget {
  const match = /^loginsight:\/\/([^/?#]*)[^?#]*(?:\?([^#]*))?/i.exec(connectionString.trim());
  if (match === null || match[1] === '') {
    throw new BadConnectionStringError('Expected loginsight://<username>:<password>@<host>.');
  }
  const netloc = match[1];
  const at = netloc.lastIndexOf('@');
  const userinfo = at >= 0 ? netloc.slice(0, at) : undefined;
  const hostport = at >= 0 ? netloc.slice(at + 1) : netloc;
  let username: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    username = decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
    password = colon >= 0 ? decode(userinfo.slice(colon + 1)) : undefined;
  }
  let hostname = hostport.startsWith('[') ? hostport.slice(1, hostport.indexOf(']')) : hostport.split(':')[0];
  hostname = hostname.toLowerCase();
  if (hostname === '') throw new BadConnectionStringError('The loginsight:// connection string has no host.');
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  const verify = new URLSearchParams(match[2] ?? '').get('verify');
  return {
    username,
    password,
    host,
    apiBase: `https://${host}:${LOGINSIGHT_HTTPS_PORT}`,
    ingestBase: `http://${host}:${LOGINSIGHT_HTTP_PORT}`,
    verifyTls: !(verify !== null && /^(false|0|no|off)$/i.test(verify)),
  };
}

// why: Python's urlparse hands malformed percent-encoding through as it is; so do we.
function decode(text: string): string {
  return decodeUrlPart(text) ?? text;
}

/** One Log Insight event (`fields` as Log Insight returns them). */
export interface LogInsightEvent {
  text?: string;
  fields?: { name?: string; content?: unknown }[];
  [key: string]: unknown;
}

/**
 * Log Insight's REST API as Python's driver uses it: `POST /api/v1/sessions` for a session id,
 * `POST :9000/api/v1/events/ingest/<agent id>` for events (no auth), `GET /api/v1/events/<constraints>`
 * with `X-LI-Session-Id` for queries; HTTP 440 (session expired) logs in again and retries once.
 * Bodies are Python's `json.dumps` text, `content-type: application/json` on every request.
 */
export class LogInsightClient {
  #session: Promise<string> | undefined;

  constructor(
    readonly target: LogInsightTarget,
    private readonly request: LogInsightRequester = httpRequester,
    /** Login within connectMs, ingest within writeMs, queries within readMs. */
    private readonly deadlines: Deadlines = deadlinesOf(),
  ) {}

  async #call(
    method: 'GET' | 'POST',
    url: string,
    body: unknown,
    timeoutMs: number,
    sessionId?: string,
  ): Promise<LogInsightResponse> {
    const headers: Record<string, string> = {};
    if (sessionId !== undefined) headers['X-LI-Session-Id'] = sessionId;
    headers['content-type'] = 'application/json';
    const req = {
      method,
      url,
      headers,
      body: pythonJsonDumps(body ?? {}),
      verifyTls: this.target.verifyTls,
      timeoutMs,
    };
    try {
      // why: reads can be called from traced code; the store's own HTTP is never traced
      return await runOutsideTrace(() => withDeadline(this.request(req), timeoutMs, `Log Insight at ${url}`, method));
    } catch (error) {
      const hint = /certificate|self.signed/i.test(String((error as Error)?.message))
        ? ' (a self-signed certificate: set NODE_EXTRA_CA_CERTS, or add ?verify=false to the connection string)'
        : '';
      throw new DriverUnavailableError(
        `Log Insight at ${url} could not be reached: ${(error as Error)?.message ?? error}${hint}`,
        error,
      );
    }
  }

  #fail(response: LogInsightResponse, what: string): DriverUnavailableError {
    let detail = response.statusText || 'n/a';
    try {
      const parsed = JSON.parse(response.body) as { errorMessage?: unknown };
      if (typeof parsed?.errorMessage === 'string') detail = parsed.errorMessage;
    } catch {
      // not JSON: keep the reason phrase
    }
    return new DriverUnavailableError(
      `Log Insight at ${this.target.host} refused to ${what} (HTTP ${response.status}): ${detail}`,
    );
  }

  /** Logs in (once at a time) and returns the session id. */
  login(): Promise<string> {
    // why: one login in flight at a time, as Python's lock does; a failed one is not cached.
    this.#session ??= this.#login().catch((error: unknown) => {
      this.#session = undefined;
      throw error;
    });
    return this.#session;
  }

  async #login(): Promise<string> {
    const { username, password } = this.target;
    if (username === undefined || password === undefined) {
      throw new DriverUnavailableError('Reading from Log Insight needs loginsight://<username>:<password>@<host>.');
    }
    const response = await this.#call(
      'POST',
      `${this.target.apiBase}/api/v1/sessions`,
      { username, password },
      this.deadlines.connectMs,
    );
    if (response.status < 200 || response.status >= 300) throw this.#fail(response, `log in as ${username}`);
    const sessionId = (JSON.parse(response.body) as { sessionId?: unknown }).sessionId;
    if (typeof sessionId !== 'string')
      throw new DriverUnavailableError(`Log Insight at ${this.target.host} sent no sessionId.`);
    return sessionId;
  }

  /** Sends events to the ingestion API in one request. */
  async ingest(events: LogInsightEvent[]): Promise<void> {
    const url = `${this.target.ingestBase}/api/v1/events/ingest/${LOGINSIGHT_AGENT_ID}`;
    const response = await this.#call('POST', url, { events }, this.deadlines.writeMs);
    if (response.status < 200 || response.status >= 300) throw this.#fail(response, `ingest ${events.length} events`);
  }

  /** The events of one trace: `base_id CONTAINS <id>`, `timestamp > 0`, at most 20,000. */
  async queryTrace(baseId: string): Promise<LogInsightEvent[]> {
    const path = `/api/v1/events/base_id/CONTAINS+${encodeURIComponent(baseId)}/timestamp/GT+0?limit=20000&timeout=60000`;
    const ms = this.deadlines.readMs;
    let response = await this.#call('GET', this.target.apiBase + path, {}, ms, await this.login());
    if (response.status === 440 || response.status === 401) {
      // the session expired: log in again and retry once
      this.#session = undefined;
      response = await this.#call('GET', this.target.apiBase + path, {}, ms, await this.login());
    }
    if (response.status < 200 || response.status >= 300) throw this.#fail(response, `query trace ${baseId}`);
    const events = (JSON.parse(response.body) as { events?: unknown }).events;
    return Array.isArray(events) ? (events as LogInsightEvent[]) : [];
  }
}
