// The trace browser's HTTP side: routes, the Host check, security headers; pages come from ui-pages.ts and report/html.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TraceReader } from '../drivers/driver.js';
import { overviewMatches, type TraceOverview, type TraceSearchQuery } from '../drivers/trace-overview.js';
import { canonicalUuid } from '../core/ids.js';
import { renderJson } from '../report/json.js';
import { ReportTooLargeError } from '../errors.js';
import type { Report } from '../report/types.js';
import { messageOf } from '../cli/io.js';
import { PAGE_CSP, renderListPage, renderMessagePage, type ListedTrace, type ListPageForm } from './pages.js';
import { BusyError, SharedQueries } from './shared-queries.js';

/** Where the browser reads traces; the store may not exist yet when the browser starts. */
export interface TraceStore {
  /** "SQLite file /…/traces.db (the default store)", a redacted URL, … */
  readonly description: string;
  /** The open store's read side, or undefined while the store does not exist yet (retried on each request). */
  reader(): Promise<TraceReader | undefined>;
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
  /** Traces listed per page by default (50). */
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
 * The request listener of `osprofiler ui`: `/` lists traces (newest first, 50 a page, `?before=`
 * the next page; filters `?q=` id/service/error text, `service=`, `op=` words of the operation,
 * `min=`/`max=` duration ms, `from=`/`to=` UTC start, `errors=1`; a duration-over-time scatter
 * plot whose dots open the traces), `/traces/<id>` shows one in the
 * HTML viewer, `/api/traces` and `/api/traces/<id>` give the same as JSON (the report in the
 * Python CLI's `--json` form). Read-only: anything but GET/HEAD is refused. Never throws.
 */
export function createUiListener(options: UiListenerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const state: ListenerState = { options, queries: new SharedQueries<Listing>() };
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
  queries: SharedQueries<Listing>;
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

/** What the list page was asked for: filters, the page (`before`), and the raw form values. */
export interface ListQuery {
  /** The filters as the store takes them. */
  search: TraceSearchQuery;
  limit: number;
  /** The form's values as typed, to fill the form again. */
  form: ListForm;
}

/** The list form's fields as typed. */
export type ListForm = ListPageForm;

const FORM_FIELDS = ['q', 'service', 'op', 'min', 'max', 'from', 'to'] as const;

function parseMs(text: string): number | undefined {
  const value = Number(text.trim().replace(/\s*ms$/i, ''));
  return text.trim() !== '' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

// why: datetime-local gives "2026-12-04T14:30"; a stored timestamp starts the same way, so the
// string itself is a bound (seconds and fractions are compared only when given).
function parseTime(text: string): string | undefined {
  const t = text.trim().replace(' ', 'T').replace(/Z$/i, '');
  return /^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,6})?)?)?)?$/.test(t) ? t : undefined;
}

/** A page cursor as written in links: `<timestamp>~<base_id>` of the last trace shown. */
function parseCursor(text: string | null): { timestamp: string; base_id: string } | undefined {
  if (text === null) return undefined;
  const tilde = text.lastIndexOf('~');
  return tilde > 0 ? { timestamp: text.slice(0, tilde), base_id: text.slice(tilde + 1) } : undefined;
}

function listQuery(options: UiListenerOptions, params: URLSearchParams): ListQuery {
  const requested = Number(params.get('limit'));
  const limit =
    Number.isInteger(requested) && requested > 0 ? Math.min(requested, MAX_LIMIT) : (options.pageSize ?? 50);
  const form = { errors: params.get('errors') === '1' } as ListForm;
  for (const field of FORM_FIELDS) form[field] = (params.get(field) ?? '').trim().slice(0, 200);
  const search: TraceSearchQuery = { limit, errorsOnly: form.errors };
  if (form.q !== '') search.text = form.q;
  if (form.service !== '') search.service = form.service;
  if (form.op !== '') search.operation = form.op;
  const min = parseMs(form.min);
  const max = parseMs(form.max);
  if (min !== undefined) search.minDurationMs = min;
  if (max !== undefined) search.maxDurationMs = max;
  const from = parseTime(form.from);
  const to = parseTime(form.to);
  if (from !== undefined) search.from = from;
  if (to !== undefined) search.to = to;
  const cursor = parseCursor(params.get('before'));
  if (cursor !== undefined) search.before = cursor;
  return { search, limit, form };
}

/** One page of the list. */
export interface Listing {
  traces: ListedTrace[];
  /** Traces in the store, when the store can tell cheaply. */
  total: number | undefined;
  /** Older matches exist (a next page). */
  truncated: boolean;
  /** Filters this store could not apply (they are named on the page, never silently dropped). */
  unsupported: string[];
}

function newestFirst(a: ListedTrace, b: ListedTrace): number {
  return a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : a.base_id < b.base_id ? 1 : -1;
}

/**
 * Newest first, filtered, one page (+ whether more matched).
 * why: identical list requests share one store query and its result for a moment (SharedQueries
 * runs them one at a time), so a burst of them cannot starve cheap requests.
 */
function listTraces(queries: SharedQueries<Listing>, reader: TraceReader, q: ListQuery): Promise<Listing> {
  return queries.run(`${q.limit}:${JSON.stringify(q.search)}`, () => searchStore(reader, q));
}

async function searchStore(reader: TraceReader, q: ListQuery): Promise<Listing> {
  const search = q.search;
  if (reader.search !== undefined) {
    const page = await reader.search.searchTraces(search);
    return { traces: page.traces, total: undefined, truncated: page.more, unsupported: [] };
  }
  const unsupported: string[] = [];
  if (search.operation !== undefined) unsupported.push('operation');
  let all: ListedTrace[];
  let total: number | undefined;
  let matches: (t: ListedTrace) => boolean;
  if (reader.overviews !== undefined) {
    all = await reader.overviews.listTraceOverviews({ errorsOnly: search.errorsOnly === true });
    total = await reader.overviews.countTraces();
    matches = (t) => overviewMatches(t as TraceOverview, search);
  } else {
    const listed = search.errorsOnly
      ? await reader.listErrorTraces()
      : await reader.listTraces(['base_id', 'timestamp']);
    all = listed.map((t) => ({
      base_id: String(t.base_id),
      timestamp: typeof t.timestamp === 'string' ? t.timestamp : '',
    }));
    total = search.errorsOnly ? undefined : all.length;
    // why: without overviews only the id, start time and error list are known here.
    if (search.service !== undefined) unsupported.push('service');
    if (search.minDurationMs !== undefined || search.maxDurationMs !== undefined) unsupported.push('duration');
    matches = (t) =>
      overviewMatches(
        { ...t, finished: t.timestamp, durationMs: null, services: [], spans: 0, notifications: 0, error: null },
        { ...search, errorsOnly: false, service: undefined, minDurationMs: undefined, maxDurationMs: undefined },
      );
  }
  const cursor = search.before;
  const matching = all
    .filter(
      (t) =>
        cursor === undefined ||
        t.timestamp < cursor.timestamp ||
        (t.timestamp === cursor.timestamp && t.base_id < cursor.base_id),
    )
    .filter(matches)
    .sort(newestFirst);
  return { traces: matching.slice(0, q.limit), total, truncated: matching.length > q.limit, unsupported };
}

/** The listing `params` ask for, and whether the store exists yet. */
async function listingFor(
  state: ListenerState,
  params: URLSearchParams,
): Promise<{ q: ListQuery; listing: Listing; missing: boolean }> {
  const q = listQuery(state.options, params);
  const reader = await state.options.store.reader();
  if (reader === undefined)
    return { q, listing: { traces: [], total: 0, truncated: false, unsupported: [] }, missing: true };
  return { q, listing: await listTraces(state.queries, reader, q), missing: false };
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
      form: q.form,
      limit: q.limit,
      ...(missing ? { note: 'The store does not exist yet: no service has stored a trace there.' } : {}),
    }),
  };
}

async function listJson(state: ListenerState, params: URLSearchParams): Promise<Answer> {
  const { listing } = await listingFor(state, params);
  const last = listing.traces[listing.traces.length - 1];
  const next = listing.truncated && last !== undefined ? `${last.timestamp}~${last.base_id}` : null;
  return {
    status: 200,
    type: 'json',
    body: `${JSON.stringify({ store: state.options.store.description, ...listing, next })}\n`,
  };
}

async function tracePage(options: UiListenerOptions, rawId: string, asJson: boolean): Promise<Answer> {
  const id = canonicalUuid(rawId);
  const reader = id === undefined ? undefined : await options.store.reader();
  const report: Report | undefined = reader === undefined || id === undefined ? undefined : await reader.getReport(id);
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
