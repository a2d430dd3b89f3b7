// The trace browser's HTTP side: routes, the Host check, security headers; pages come from ui-pages.ts and report/html.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Driver } from '../drivers/driver.js';
import { hasTraceOverviews } from '../drivers/trace-overview.js';
import { canonicalUuid } from '../core/ids.js';
import { renderJson } from '../report/json.js';
import { ReportTooLargeError } from '../errors.js';
import type { Report } from '../report/types.js';
import { messageOf } from '../cli/io.js';
import { PAGE_CSP, renderListPage, renderMessagePage, type ListedTrace } from './pages.js';
import { BusyError, SharedQueries } from './shared-queries.js';

/** Where the browser reads traces; the store may not exist yet when the browser starts. */
export interface TraceStore {
  /** "SQLite file /…/traces.db (the default store)", a redacted URL, … */
  readonly description: string;
  /** The open driver, or undefined while the store does not exist yet (retried on each request). */
  driver(): Promise<Driver | undefined>;
}

/** Options of {@link createUiListener}. */
export interface UiListenerOptions {
  store: TraceStore;
  /**
   * Host names a request's Host header may carry (without port). why: a page on another site can
   * point a DNS name at 127.0.0.1 and read a loopback server unless it checks Host (DNS
   * rebinding). Undefined accepts any host, for a browser deliberately served on a network address.
   */
  allowedHosts: ReadonlySet<string> | undefined;
  /** Traces listed per page by default (200). */
  pageSize?: number;
  /** Called with each request that failed inside the browser (the answer is a 502 page). */
  onError?: (error: unknown) => void;
}

/** The hosts a loopback-bound browser answers to. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
} as const;

const MAX_LIMIT = 100_000;

interface Answer {
  status: number;
  type: 'html' | 'json' | 'text';
  body: string;
  /** The page carries its own CSP (the report viewer's, in a meta element). */
  ownCsp?: boolean;
  /** Seconds for a Retry-After header (503). */
  retryAfter?: number;
}

const TYPES = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
} as const;

/**
 * The request listener of `osprofiler ui`: `/` lists traces (newest first; `?q=` filters by id,
 * service or error, `?errors=1` keeps failed traces, `?limit=`), `/traces/<id>` shows one in the
 * HTML viewer, `/api/traces` and `/api/traces/<id>` give the same as JSON (the report in the
 * Python CLI's `--json` form). Read-only: anything but GET/HEAD is refused. Never throws.
 */
export function createUiListener(options: UiListenerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const state: ListenerState = { options, queries: new SharedQueries<StoreListing>() };
  return (req, res) => {
    answer(state, req).then(
      (result) => send(req, res, result),
      (error: unknown) => {
        if (error instanceof BusyError) {
          send(req, res, { status: 503, type: 'text', body: `${error.message}\n`, retryAfter: 1 });
          return;
        }
        options.onError?.(error);
        send(req, res, {
          status: 502,
          type: 'html',
          body: renderMessagePage('The store could not be read', `${options.store.description}: ${messageOf(error)}`),
        });
      },
    );
  };
}

/** One listener's options and its shared list queries. */
interface ListenerState {
  options: UiListenerOptions;
  queries: SharedQueries<StoreListing>;
}

async function answer(state: ListenerState, req: IncomingMessage): Promise<Answer> {
  const { options } = state;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { status: 405, type: 'text', body: 'The trace browser is read-only: only GET and HEAD are answered.\n' };
  }
  if (options.allowedHosts !== undefined && !options.allowedHosts.has(hostName(req.headers.host))) {
    return { status: 403, type: 'text', body: 'This trace browser only answers requests addressed to localhost.\n' };
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (path === '/') return listPage(state, url.searchParams);
  if (path === '/api/traces') return listJson(state, url.searchParams);
  const traceMatch = /^\/(api\/)?traces\/([^/]+)$/.exec(path);
  if (traceMatch !== null) return tracePage(options, safeDecode(traceMatch[2]!), traceMatch[1] !== undefined);
  if (path === '/favicon.ico') return { status: 404, type: 'text', body: '' };
  return { status: 404, type: 'html', body: renderMessagePage('Not found', `Nothing is served at ${path}.`) };
}

/** The host name of a Host header, lower-case, without the port (IPv6 keeps its brackets). */
function hostName(host: string | undefined): string {
  if (host === undefined) return '';
  const text = host.trim().toLowerCase();
  if (text.startsWith('[')) return text.slice(0, text.indexOf(']') + 1);
  const colon = text.indexOf(':');
  return colon === -1 ? text : text.slice(0, colon);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

interface ListQuery {
  query: string;
  errorsOnly: boolean;
  limit: number;
}

function listQuery(options: UiListenerOptions, params: URLSearchParams): ListQuery {
  const requested = Number(params.get('limit'));
  const limit =
    Number.isInteger(requested) && requested > 0 ? Math.min(requested, MAX_LIMIT) : (options.pageSize ?? 200);
  return {
    query: (params.get('q') ?? '').trim().slice(0, 200),
    errorsOnly: params.get('errors') === '1',
    limit,
  };
}

interface Listing {
  traces: ListedTrace[];
  total: number | undefined;
  truncated: boolean;
}

/** What the store answered for a list: newest first, before the text filter. */
interface StoreListing {
  all: ListedTrace[];
  total: number | undefined;
}

/** The store's list for `errorsOnly`, the newest `limit` only, or every trace when `limit` is undefined. */
async function storeListing(driver: Driver, errorsOnly: boolean, limit: number | undefined): Promise<StoreListing> {
  if (hasTraceOverviews(driver)) {
    const overviews = await driver.listTraceOverviews({ errorsOnly, ...(limit !== undefined ? { limit } : {}) });
    return { all: overviews.reverse(), total: await driver.countTraces() };
  }
  const listed = errorsOnly ? await driver.listErrorTraces() : await driver.listTraces(['base_id', 'timestamp']);
  const all = listed
    .map((t) => ({ base_id: String(t.base_id), timestamp: typeof t.timestamp === 'string' ? t.timestamp : '' }))
    .sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0));
  return { all, total: errorsOnly ? undefined : all.length };
}

/** Newest first, filtered, at most `limit` (+ whether more matched). */
async function listTraces(queries: SharedQueries<StoreListing>, driver: Driver, q: ListQuery): Promise<Listing> {
  const needle = q.query.toLowerCase();
  const matches = (t: ListedTrace): boolean =>
    needle === '' ||
    t.base_id.toLowerCase().includes(needle) ||
    (t.services ?? []).some((s) => s.toLowerCase().includes(needle)) ||
    (t.error ?? '').toLowerCase().includes(needle);
  // why: without a text filter the store itself keeps only the newest `limit + 1`; with one, every
  // request filters the same full list, so they all share one query.
  const storeLimit = needle === '' ? q.limit + 1 : undefined;
  const key = `${q.errorsOnly ? 'errors' : 'all'}:${storeLimit ?? '*'}`;
  const { all, total } = await queries.run(key, () => storeListing(driver, q.errorsOnly, storeLimit));
  const matching = needle === '' ? all : all.filter(matches);
  return { traces: matching.slice(0, q.limit), total, truncated: matching.length > q.limit };
}

/** The listing `params` ask for, and whether the store exists yet. */
async function listingFor(
  state: ListenerState,
  params: URLSearchParams,
): Promise<{ q: ListQuery; listing: Listing; missing: boolean }> {
  const q = listQuery(state.options, params);
  const driver = await state.options.store.driver();
  if (driver === undefined) return { q, listing: { traces: [], total: 0, truncated: false }, missing: true };
  return { q, listing: await listTraces(state.queries, driver, q), missing: false };
}

async function listPage(state: ListenerState, params: URLSearchParams): Promise<Answer> {
  const { options } = state;
  const { q, listing, missing } = await listingFor(state, params);
  return {
    status: 200,
    type: 'html',
    body: renderListPage({
      store: options.store.description,
      ...listing,
      ...q,
      ...(missing ? { note: 'The store does not exist yet: no service has stored a trace there.' } : {}),
    }),
  };
}

async function listJson(state: ListenerState, params: URLSearchParams): Promise<Answer> {
  const { listing } = await listingFor(state, params);
  return {
    status: 200,
    type: 'json',
    body: `${JSON.stringify({ store: state.options.store.description, ...listing })}\n`,
  };
}

async function tracePage(options: UiListenerOptions, rawId: string, asJson: boolean): Promise<Answer> {
  const id = canonicalUuid(rawId);
  const driver = id === undefined ? undefined : await options.store.driver();
  const report: Report | undefined = driver === undefined || id === undefined ? undefined : await driver.getReport(id);
  if (report === undefined || !Array.isArray(report.children) || report.children.length === 0) {
    const message = `Trace with UUID ${rawId} not found in ${options.store.description}.`;
    return asJson
      ? { status: 404, type: 'json', body: `${JSON.stringify({ error: message })}\n` }
      : { status: 404, type: 'html', body: renderMessagePage('Trace not found', message) };
  }
  if (asJson) {
    try {
      return { status: 200, type: 'json', body: `${renderJson(report)}\n` };
    } catch (error) {
      // why: a report too deep for indented JSON is the data's limit, not a failed store (502).
      if (!(error instanceof ReportTooLargeError)) throw error;
      return { status: 413, type: 'json', body: `${JSON.stringify({ error: error.message })}\n` };
    }
  }
  // why: loaded on the first trace shown; it carries the whole viewer bundle.
  const { renderHtml } = await import('../report/html.js');
  return {
    status: 200,
    type: 'html',
    ownCsp: true,
    body: renderHtml(report, { title: `Trace ${id}`, backLink: { href: '/', label: '\u2190 All traces' } }),
  };
}

function send(req: IncomingMessage, res: ServerResponse, answer: Answer): void {
  if (res.headersSent) return;
  const body = Buffer.from(answer.body, 'utf8');
  res.writeHead(answer.status, {
    ...COMMON_HEADERS,
    'content-type': TYPES[answer.type],
    'content-length': body.length,
    ...(answer.status === 405 ? { allow: 'GET, HEAD' } : {}),
    ...(answer.retryAfter !== undefined ? { 'retry-after': String(answer.retryAfter) } : {}),
    ...(answer.type === 'html' && !answer.ownCsp ? { 'content-security-policy': PAGE_CSP } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
