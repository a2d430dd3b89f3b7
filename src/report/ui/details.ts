// In-page details panel: one span's facts, its error, request/SQL/function info and raw payloads.
import { el } from './dom.js';
import { formatClock, formatDuration, formatPercent, labelOf } from './format.js';
import type { ViewerData } from './types.js';

/** What the details panel needs besides the span index. */
export interface DetailsContext {
  data: ViewerData;
  color: string;
  totalMs: number;
  parentIndex: number;
  /** The span's payload line (`[trace_id, parent_id, info]`), or null while loading / if absent. */
  payload: string | null;
  payloadState: 'loading' | 'ready' | 'failed';
  /** Selects another span (the parent link). */
  go(index: number): void;
  /** The span is on the critical path. */
  critical: boolean;
  /** Zooms the waterfall to span `index`. */
  zoom(index: number): void;
}

/**
 * Replaces the content of `container` with the details of span `index`.
 * why: every value is set with textContent, so hostile SQL
 * or URLs are displayed, never parsed as markup.
 */
export function renderDetails(container: HTMLElement, index: number, ctx: DetailsContext): void {
  const { data } = ctx;
  const e = el;
  type Obj = Record<string, unknown>;
  const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
  const pretty = (v: unknown): string => {
    if (typeof v === 'string') return v;
    try {
      return JSON.stringify(v, null, 2) ?? String(v);
    } catch {
      return String(v);
    }
  };
  let parsed: unknown[] = [];
  try {
    const value: unknown = ctx.payload === null ? [] : JSON.parse(ctx.payload);
    if (Array.isArray(value)) parsed = value;
  } catch {
    parsed = [];
  }
  const info: Obj = isObj(parsed[2]) ? parsed[2] : {};
  const rawKeys = Object.keys(info).filter((k) => k.startsWith('meta.raw_payload.'));
  const payloadInfo = (stop: boolean): Obj => {
    for (const key of rawKeys) {
      if (key.endsWith('stop') !== stop) continue;
      const raw = info[key];
      if (isObj(raw) && isObj(raw.info)) return raw.info;
    }
    return {};
  };
  // why: SQL stores keep timestamps in a column, not in the payloads: the wall-clock time then
  // comes from the trace's start plus the span's offset (whole ms, as the report has them).
  const clockAt = (offsetMs: number): string =>
    data.startedAt === null ? '' : ' \u00b7 ' + formatClock(data.startedAt + offsetMs);
  const startInfo = payloadInfo(false);
  const stopInfo = payloadInfo(true);

  const section = (title: string, cls?: string): HTMLElement => {
    const s = e('section', 'osp-section' + (cls ? ' ' + cls : ''), null, [e('h3', null, title)]);
    body.appendChild(s);
    return s;
  };
  const facts = (parent: HTMLElement, rows: Array<[string, unknown, string?]>): void => {
    const dl = e('dl', 'osp-facts');
    for (const [key, value, cls] of rows) {
      if (value === undefined) continue;
      dl.appendChild(e('dt', null, key));
      dl.appendChild(e('dd', cls ?? null, typeof value === 'string' ? value : pretty(value)));
    }
    parent.appendChild(dl);
  };
  const code = (parent: HTMLElement, label: string, value: unknown, cls?: string): void => {
    if (value === undefined) return;
    parent.appendChild(e('div', 'osp-code-label', label));
    parent.appendChild(e('pre', 'osp-code' + (cls ? ' ' + cls : ''), pretty(value)));
  };

  container.textContent = '';
  const started = data.started[index];
  const duration = Math.max(0, data.finished[index] - started);
  const error = data.error[index];
  const dot = e('span', 'osp-dot');
  dot.style.background = ctx.color;
  const type = data.names[data.name[index]];
  const header = e('div', 'osp-details-head', null, [
    e('h2', null, null, [dot, e('span', 'osp-details-name', data.ops[data.op[index]])]),
    e(
      'div',
      'osp-details-sub',
      type +
        ' \u00b7 ' +
        data.services[data.service[index]] +
        ' \u00b7 ' +
        formatDuration(duration) +
        ' \u00b7 ' +
        formatPercent(duration, ctx.totalMs) +
        ' of trace' +
        (ctx.critical ? ' \u00b7 on the critical path' : ''),
    ),
    error !== '' ? e('div', 'osp-badge-error', 'Error: ' + error) : null,
  ]);
  container.appendChild(header);
  const body = e('div', 'osp-details-body');
  container.appendChild(body);

  if (error !== '') {
    const s = section('Error', 'osp-error-box');
    const db = isObj(stopInfo.db) ? stopInfo.db : {};
    facts(s, [
      ['Type', labelOf(stopInfo.etype ?? error)],
      ['Message', stopInfo.message === undefined ? undefined : labelOf(stopInfo.message)],
      ['Original', db.original_exception === undefined ? undefined : labelOf(db.original_exception)],
      ['Chained', db.chained_exception === undefined ? undefined : labelOf(db.chained_exception)],
    ]);
  }

  const timing = section('Span');
  facts(timing, [
    ['Service', data.services[data.service[index]]],
    ['Project', data.projects[data.project[index]]],
    ['Host', data.hosts[data.host[index]]],
    ['Type', type],
    ['Start', '+' + started + ' ms' + clockAt(started)],
    ['End', '+' + data.finished[index] + ' ms' + clockAt(data.finished[index])],
    ['Duration', duration + ' ms (' + formatPercent(duration, ctx.totalMs) + ' of trace)'],
    ['Trace ID', ctx.payload === null ? '-' : labelOf(parsed[0]), 'osp-mono'],
    ['Parent ID', ctx.payload === null ? '-' : labelOf(parsed[1]), 'osp-mono'],
  ]);
  const zoomButton = e('button', 'osp-link', '\u2194 Zoom timeline to this span');
  zoomButton.type = 'button';
  zoomButton.addEventListener('click', () => ctx.zoom(index));
  timing.appendChild(zoomButton);
  if (ctx.parentIndex >= 0) {
    const up = e('button', 'osp-link', '\u2191 Parent: ' + data.ops[data.op[ctx.parentIndex]]);
    up.type = 'button';
    up.addEventListener('click', () => ctx.go(ctx.parentIndex));
    timing.appendChild(up);
  }

  // `request` is what the WSGI middleware stores, `requests` what the HTTP client patch stores.
  const request = isObj(startInfo.request) ? startInfo.request : isObj(startInfo.requests) ? startInfo.requests : null;
  if (request) {
    const s = section('HTTP request');
    const text = (v: unknown): string => (v === undefined || v === null || v === '' ? '' : labelOf(v));
    const origin = text(request.hostname)
      ? (text(request.scheme) || 'http') +
        '://' +
        text(request.hostname) +
        (text(request.port) ? ':' + text(request.port) : '')
      : '';
    const query = text(request.query) ? '?' + text(request.query) : '';
    s.appendChild(
      e(
        'pre',
        'osp-code osp-request',
        [text(request.method), origin + text(request.path) + query].filter((v) => v !== '').join(' '),
      ),
    );
    facts(s, [['Scheme', origin === '' && request.scheme !== undefined ? labelOf(request.scheme) : undefined]]);
  }
  const db = isObj(startInfo.db) ? startInfo.db : null;
  const dbStop = isObj(stopInfo.db) ? stopInfo.db : null;
  if (db || dbStop?.result !== undefined) {
    const s = section('Database');
    if (db) code(s, 'Statement', db.statement, 'osp-sql');
    if (db) code(s, 'Params', db.params);
    if (dbStop) code(s, 'Result', dbStop.result);
  }
  const fn = isObj(startInfo.function) ? startInfo.function : {};
  const fnStop = isObj(stopInfo.function) ? stopInfo.function : {};
  if (isObj(startInfo.function) || isObj(stopInfo.function)) {
    const short = (v: unknown): string | undefined => (v === undefined ? undefined : labelOf(v));
    facts(section('Function'), [
      ['Name', short(fn.name), 'osp-mono'],
      ['Args', short(fn.args), 'osp-mono'],
      ['Kwargs', short(fn.kwargs), 'osp-mono'],
      ['Result', short(fnStop.result), 'osp-mono'],
    ]);
  }
  const known = ['host', 'request', 'requests', 'db', 'function', 'etype', 'message'];
  const extra: Obj = {};
  for (const [k, v] of Object.entries(startInfo)) if (!known.includes(k)) extra[k] = v;
  for (const [k, v] of Object.entries(stopInfo)) if (!known.includes(k)) extra[k in extra ? k + ' (stop)' : k] = v;
  for (const [k, v] of Object.entries(info))
    if (!k.startsWith('meta.raw_payload.')) extra[k in extra ? k + ' (span)' : k] = v;
  if (Object.keys(extra).length > 0) code(section('Other info'), 'info', extra);

  const raw = section('Raw payloads');
  for (const key of rawKeys) {
    const block = e('details', 'osp-raw', null, [
      e('summary', null, key.slice('meta.raw_payload.'.length)),
      e('pre', 'osp-code', pretty(info[key])),
    ]);
    block.open = rawKeys.length <= 2 && pretty(info[key]).length < 1500;
    raw.appendChild(block);
  }
  const none = {
    loading: 'Loading stored payloads\u2026',
    ready: 'No stored payload.',
    failed: 'This browser cannot decode the stored payloads (needs DecompressionStream).',
  };
  if (rawKeys.length === 0) raw.appendChild(e('p', 'osp-muted', none[ctx.payloadState]));
}
