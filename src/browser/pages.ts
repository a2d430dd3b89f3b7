// The trace browser's own pages (the trace list, messages): server-rendered HTML, every value escaped, no script.
import { cspHash, escapeHtml } from '../report/html-escape.js';
import { htmlPage } from '../report/html-page.js';

import type { TraceOverview } from '../drivers/trace-overview.js';

/** One line of the list: an overview where the store computes them, else id and start only. */
export type ListedTrace = Pick<TraceOverview, 'base_id' | 'timestamp'> &
  Partial<TraceOverview> & { operation?: string | null };

/** The list form's values as typed (the server's ListForm). */
export interface ListPageForm {
  q: string;
  service: string;
  op: string;
  min: string;
  max: string;
  from: string;
  to: string;
  errors: boolean;
}

/** What the list page shows. */
export interface ListPage {
  store: string;
  traces: readonly ListedTrace[];
  /** Traces in the store, when known. */
  total: number | undefined;
  form: ListPageForm;
  limit: number;
  /** True when older matching traces exist (a next page). */
  truncated: boolean;
  /** Filters the store could not apply. */
  unsupported?: readonly string[];
  /** A note under the heading (e.g. "the store file does not exist yet"). */
  note?: string;
}

const PAGE_CSS = `
:root{--fg:#1f2328;--muted:#656d76;--line:#e6e9ed;--soft:#f6f8fa;--accent:#0b5cad;--err:#c62828;font-size:14px}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header{padding:14px 20px 10px;border-bottom:1px solid var(--line)}
.brand{font-size:11px;font-weight:600;letter-spacing:.06em;text-transform:uppercase;color:var(--accent)}
h1{margin:2px 0 0;font-size:20px;font-weight:600}
.store,.note,.count{color:var(--muted);font-size:13px;margin-top:4px}
.note{color:var(--err)}
form{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:flex-end;padding:10px 20px;border-bottom:1px solid var(--line);background:var(--soft)}
form label{display:flex;flex-direction:column;gap:2px;font-size:12px;color:var(--muted)}
form label.check{flex-direction:row;align-items:center;gap:4px;padding-bottom:6px;color:var(--fg);font-size:13px}
input{padding:5px 8px;border:1px solid #c9d1d9;border-radius:6px;font:inherit;color:var(--fg);background:#fff}
input.wide{width:210px}input.ms{width:90px}
button{padding:5px 14px;border:1px solid var(--accent);border-radius:6px;background:var(--accent);color:#fff;font:inherit;cursor:pointer}
.reset{padding-bottom:6px;font-size:13px}
.plot{margin:12px 0 4px;border:1px solid var(--line);border-radius:6px;padding:6px 8px 2px}
.plot svg{display:block;width:100%;height:auto}
.plot text{font-size:11px;fill:var(--muted);font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
.plot .dot{fill:rgba(11,92,173,.55);stroke:#0b5cad;stroke-width:1}
.plot .dot.bad{fill:rgba(198,40,40,.6);stroke:#c62828}
.plot a:hover .dot,.plot a:focus .dot{stroke:#1f2328;stroke-width:2.5}
.pager{display:flex;gap:16px;margin:12px 0}
.op{font-weight:500}
main{padding:0 20px 24px}
table{border-collapse:collapse;width:100%;margin-top:8px}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;position:sticky;top:0;background:#fff}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
a{color:var(--accent)}
.err{color:var(--err);font-weight:600}
.empty{padding:24px 0;color:var(--muted)}
`;

const CSS_HASH = cspHash(PAGE_CSS);

/**
 * The Content-Security-Policy of these pages: nothing but their own stylesheet, and forms that
 * only submit here. why: trace data (URLs, SQL) is attacker-controlled; even if escaping failed,
 * no script could run.
 */
export const PAGE_CSP = `default-src 'none'; style-src ${CSS_HASH}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;

/** The path of a trace's page. */
export function tracePath(baseId: string): string {
  return `/traces/${encodeURIComponent(baseId)}`;
}

function page(title: string, body: string): string {
  return htmlPage({ title, css: PAGE_CSS, body: [body] });
}

function row(trace: ListedTrace, withOperation: boolean): string {
  const id = escapeHtml(trace.base_id);
  const cells = [
    `<td class="mono"><a href="${escapeHtml(tracePath(trace.base_id))}">${id}</a></td>`,
    ...(withOperation ? [`<td class="op">${escapeHtml(trace.operation ?? '')}</td>`] : []),
    `<td class="mono">${escapeHtml(trace.timestamp)}</td>`,
  ];
  if (trace.spans !== undefined) {
    cells.push(
      `<td class="num">${trace.durationMs === null || trace.durationMs === undefined ? '' : `${trace.durationMs} ms`}</td>`,
      `<td class="num">${trace.spans}</td>`,
      `<td>${escapeHtml((trace.services ?? []).join(', '))}</td>`,
      `<td>${trace.error ? `<span class="err">${escapeHtml(trace.error)}</span>` : ''}</td>`,
    );
  }
  return `<tr>${cells.join('')}</tr>`;
}

/** Epoch ms of a stored timestamp (UTC), or undefined. */
function epochMs(timestamp: string): number | undefined {
  const ms = Date.parse(`${timestamp.slice(0, 23)}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

function niceStep(span: number, count: number): number {
  const rough = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(Math.max(rough, 1e-9))));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= rough) ?? 10 * power;
}

// The scatter plot's viewBox and the margins its axis labels need.
const PLOT_BOX = { W: 1000, H: 190, left: 64, right: 14, top: 10, bottom: 26 };

/**
 * Duration over start time of the listed traces, one dot per trace (red: failed; larger: more
 * spans), each a link to its trace. Inline SVG with presentation attributes only: no script
 * and no inline style, so the page's CSP stays as strict as before.
 */
export function renderScatter(traces: readonly ListedTrace[]): string {
  const points = traces
    .map((t) => ({ t, x: epochMs(t.timestamp), y: t.durationMs }))
    .filter((p): p is { t: ListedTrace; x: number; y: number } => p.x !== undefined && typeof p.y === 'number');
  if (points.length === 0) return '';
  const { W, H, left, right, top, bottom } = PLOT_BOX;
  let x0 = Math.min(...points.map((p) => p.x));
  let x1 = Math.max(...points.map((p) => p.x));
  if (x1 - x0 < 1000) {
    x0 -= 500;
    x1 += 500;
  }
  const yMax = Math.max(1, ...points.map((p) => p.y)) * 1.1;
  const sx = (x: number): number => left + ((x - x0) / (x1 - x0)) * (W - left - right);
  const sy = (y: number): number => H - bottom - (y / yMax) * (H - top - bottom);
  const parts: string[] = [];
  const yStep = niceStep(yMax, 4);
  for (let v = 0; v <= yMax; v += yStep) {
    const y = sy(v).toFixed(1);
    const label = v >= 1000 ? `${(v / 1000).toLocaleString('en-US')} s` : `${v} ms`;
    parts.push(
      `<line x1="${left}" x2="${W - right}" y1="${y}" y2="${y}" stroke="#eef0f3"/><text x="${left - 6}" y="${y}" dy="4" text-anchor="end">${label}</text>`,
    );
  }
  const spanMs = x1 - x0;
  // why: clock-friendly steps (1 s … 1 week) so labels fall on round times
  const xStep =
    [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800]
      .map((seconds) => seconds * 1000)
      .find((step) => step >= spanMs / 7) ?? 2592e6;
  const withDate = spanMs > 864e5 || new Date(x0).getUTCDate() !== new Date(x1).getUTCDate();
  for (let v = Math.ceil(x0 / xStep) * xStep; v <= x1; v += xStep) {
    const iso = new Date(v).toISOString();
    const label = withDate ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, xStep < 6e4 ? 19 : 16);
    const x = sx(v).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${top}" y2="${H - bottom}" stroke="#f3f4f6"/><text x="${x}" y="${H - 8}" text-anchor="middle">${label}</text>`,
    );
  }
  parts.push(`<text x="${left - 6}" y="${H - 8}" text-anchor="end">UTC</text>`);
  for (const p of points) {
    const r = (2.5 + Math.min(4, Math.log2(Math.max(1, p.t.spans ?? 1))) / 2).toFixed(1);
    const tip = `${p.t.operation ?? p.t.base_id} · ${p.y} ms · ${p.t.timestamp}${p.t.error ? ` · ${p.t.error}` : ''}`;
    parts.push(
      `<a href="${escapeHtml(tracePath(p.t.base_id))}"><circle class="dot${p.t.error ? ' bad' : ''}" cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="${r}"><title>${escapeHtml(tip)}</title></circle></a>`,
    );
  }
  return `<div class="plot" id="scatter"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Duration of the listed traces over their start time">${parts.join('')}</svg></div>`;
}

function input(name: string, label: string, value: string, attrs: string): string {
  return `<label>${escapeHtml(label)}<input name="${name}" value="${escapeHtml(value)}" ${attrs}></label>`;
}

/** The list of traces, newest first, with a search form and a scatter plot (the page runs no script). */
export function renderListPage(list: ListPage): string {
  const overviews = list.traces.some((t) => t.spans !== undefined);
  const withOperation = list.traces.some((t) => typeof t.operation === 'string');
  const headers = [
    'Trace',
    ...(withOperation ? ['Operation'] : []),
    'Started (UTC)',
    ...(overviews ? ['Duration', 'Points', 'Services', 'Error'] : []),
  ];
  const form = list.form;
  const filtering = form.q || form.service || form.op || form.min || form.max || form.from || form.to || form.errors;
  const shown = `${list.traces.length} trace${list.traces.length === 1 ? '' : 's'} shown, newest first`;
  const counts =
    list.total !== undefined
      ? `${shown} (${list.total} in the store)`
      : shown + (list.truncated ? '; older ones on the next page' : '');
  const params = (extra: Record<string, string>): string => {
    const p = new URLSearchParams();
    for (const key of ['q', 'service', 'op', 'min', 'max', 'from', 'to'] as const) if (form[key]) p.set(key, form[key]);
    if (form.errors) p.set('errors', '1');
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return p.toString();
  };
  const last = list.traces[list.traces.length - 1];
  const pager = [
    `<a href="/?${escapeHtml(params({}))}">Newest</a>`,
    list.truncated && last !== undefined
      ? `<a id="older" href="/?${escapeHtml(params({ before: `${last.timestamp}~${last.base_id}`, limit: String(list.limit) }))}">Older traces →</a>`
      : '',
  ].join('');
  const services = [...new Set(list.traces.flatMap((t) => t.services ?? []))].sort();
  const unsupported =
    list.unsupported && list.unsupported.length > 0
      ? `<div class="note">This store cannot filter by ${escapeHtml(list.unsupported.join(', '))}: those filters were not applied.</div>`
      : '';
  const table =
    list.traces.length === 0
      ? `<p class="empty">${filtering ? 'No trace matches.' : 'No traces stored yet.'}</p>`
      : `<table><thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${list.traces
          .map((t) => row(t, withOperation))
          .join('')}</tbody></table>`;
  return page(
    'OSProfiler traces',
    [
      '<header>',
      '<div class="brand">OSProfiler</div>',
      '<h1>Traces</h1>',
      `<div class="store">${escapeHtml(list.store)}</div>`,
      list.note !== undefined ? `<div class="note">${escapeHtml(list.note)}</div>` : '',
      '</header>',
      '<form method="get" action="/">',
      input('q', 'Trace id, service or error', form.q, 'type="search" class="wide" aria-label="Filter traces"'),
      input('service', 'Service', form.service, 'list="osp-services" placeholder="nova-api"'),
      `<datalist id="osp-services">${services.map((s) => `<option value="${escapeHtml(s)}">`).join('')}</datalist>`,
      input('op', 'Operation', form.op, 'class="wide" placeholder="GET /servers, compute.Manager.list, SELECT"'),
      input('min', 'Min duration (ms)', form.min, 'class="ms" inputmode="numeric"'),
      input('max', 'Max duration (ms)', form.max, 'class="ms" inputmode="numeric"'),
      input('from', 'Started from (UTC)', form.from, 'type="datetime-local" step="1"'),
      input('to', 'to (UTC)', form.to, 'type="datetime-local" step="1"'),
      `<label class="check"><input type="checkbox" name="errors" value="1"${form.errors ? ' checked' : ''}> errors only</label>`,
      '<button type="submit">Search</button>',
      filtering ? '<a class="reset" href="/">Reset</a>' : '',
      '</form>',
      '<main>',
      unsupported,
      renderScatter(list.traces),
      `<div class="count">${escapeHtml(counts)}</div>`,
      table,
      `<nav class="pager">${pager}</nav>`,
      '</main>',
    ].join('\n'),
  );
}

/** A page with one message and a link back to the list (not found, store unreachable). */
export function renderMessagePage(title: string, message: string): string {
  return page(
    title,
    [
      '<header>',
      '<div class="brand"><a href="/">OSProfiler traces</a></div>',
      `<h1>${escapeHtml(title)}</h1>`,
      '</header>',
      `<main><p>${escapeHtml(message)}</p><p><a href="/">All traces</a></p></main>`,
    ].join('\n'),
  );
}
