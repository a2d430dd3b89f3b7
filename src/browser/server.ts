// The trace browser's HTTP side: routes, the Host check, security headers; pages come from ui-pages.ts and report/html.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TraceReader } from '../drivers/driver.js';
import { canonicalUuid } from '../core/ids.js';
import { renderJson } from '../report/json.js';
import type { Report } from '../report/types.js';
import { messageOf } from '../cli/io.js';
import { PAGE_CSP, renderListPage, renderMessagePage, type ListedTrace } from './pages.js';

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
  return (req, res) => {
    answer(options, req).then(
      (result) => send(req, res, result),
      (error: unknown) => {
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

async function answer(options: UiListenerOptions, req: IncomingMessage): Promise<Answer> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { status: 405, type: 'text', body: 'The trace browser is read-only: only GET and HEAD are answered.\n' };
  }
  if (options.allowedHosts !== undefined && !options.allowedHosts.has(hostName(req.headers.host))) {
    return { status: 403, type: 'text', body: 'This trace browser only answers requests addressed to localhost.\n' };
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (path === '/') return listPage(options, url.searchParams);
  if (path === '/api/traces') return listJson(options, url.searchParams);
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

/** Newest first, filtered, at most `limit` (+ whether more matched). */
async function listTraces(reader: TraceReader, q: ListQuery): Promise<Listing> {
  const needle = q.query.toLowerCase();
  const matches = (t: ListedTrace): boolean =>
    needle === '' ||
    t.base_id.toLowerCase().includes(needle) ||
    (t.services ?? []).some((s) => s.toLowerCase().includes(needle)) ||
    (t.error ?? '').toLowerCase().includes(needle);
  let all: ListedTrace[];
  let total: number | undefined;
  const source = reader.overviews;
  if (source !== undefined) {
    // why: without a text filter the store itself keeps only the newest `limit + 1`.
    const overviews = await source.listTraceOverviews({
      errorsOnly: q.errorsOnly,
      ...(needle === '' ? { limit: q.limit + 1 } : {}),
    });
    all = overviews.reverse();
    total = await source.countTraces();
  } else {
    const listed = q.errorsOnly ? await reader.listErrorTraces() : await reader.listTraces(['base_id', 'timestamp']);
    all = listed
      .map((t) => ({ base_id: String(t.base_id), timestamp: typeof t.timestamp === 'string' ? t.timestamp : '' }))
      .sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0));
    total = q.errorsOnly ? undefined : all.length;
  }
  const matching = all.filter(matches);
  return { traces: matching.slice(0, q.limit), total, truncated: matching.length > q.limit };
}

/** The listing `params` ask for, and whether the store exists yet. */
async function listingFor(
  options: UiListenerOptions,
  params: URLSearchParams,
): Promise<{ q: ListQuery; listing: Listing; missing: boolean }> {
  const q = listQuery(options, params);
  const reader = await options.store.reader();
  if (reader === undefined) return { q, listing: { traces: [], total: 0, truncated: false }, missing: true };
  return { q, listing: await listTraces(reader, q), missing: false };
}

async function listPage(options: UiListenerOptions, params: URLSearchParams): Promise<Answer> {
  const { q, listing, missing } = await listingFor(options, params);
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

async function listJson(options: UiListenerOptions, params: URLSearchParams): Promise<Answer> {
  const { listing } = await listingFor(options, params);
  return { status: 200, type: 'json', body: `${JSON.stringify({ store: options.store.description, ...listing })}\n` };
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
  if (asJson) return { status: 200, type: 'json', body: `${renderJson(report)}\n` };
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
    ...(answer.type === 'html' && !answer.ownCsp ? { 'content-security-policy': PAGE_CSP } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
