// The trace browser's own pages (the trace list, messages): server-rendered HTML, every value escaped, no script.
import { cspHash, escapeHtml } from '../report/html-escape.js';

import type { TraceOverview } from '../drivers/trace-overview.js';

/** One line of the list: an overview where the store computes them, else id and start only. */
export type ListedTrace = Pick<TraceOverview, 'base_id' | 'timestamp'> & Partial<TraceOverview>;

/** What the list page shows. */
export interface ListPage {
  store: string;
  traces: readonly ListedTrace[];
  /** Traces in the store, when known. */
  total: number | undefined;
  query: string;
  errorsOnly: boolean;
  limit: number;
  /** True when the store held more matching traces than `limit`. */
  truncated: boolean;
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
form{display:flex;gap:10px;align-items:center;padding:10px 20px;border-bottom:1px solid var(--line);background:var(--soft)}
input[type=search]{flex:1;max-width:480px;padding:5px 8px;border:1px solid #c9d1d9;border-radius:6px;font:inherit}
button{padding:5px 12px;border:1px solid #c9d1d9;border-radius:6px;background:#fff;font:inherit;cursor:pointer}
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
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function row(trace: ListedTrace): string {
  const id = escapeHtml(trace.base_id);
  const cells = [
    `<td class="mono"><a href="${escapeHtml(tracePath(trace.base_id))}">${id}</a></td>`,
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

/** The list of traces, newest first, with a filter form (plain GET: the page runs no script). */
export function renderListPage(list: ListPage): string {
  const overviews = list.traces.some((t) => t.spans !== undefined);
  const headers = overviews
    ? ['Trace', 'Started (UTC)', 'Duration', 'Points', 'Services', 'Error']
    : ['Trace', 'Started (UTC)'];
  const shown = `${list.traces.length} trace${list.traces.length === 1 ? '' : 's'} shown`;
  const counts =
    list.total !== undefined
      ? `${shown} of ${list.total} in the store`
      : shown + (list.truncated ? ' (more exist)' : '');
  const more = list.truncated
    ? `<p><a href="/?${escapeHtml(
        new URLSearchParams({
          ...(list.query ? { q: list.query } : {}),
          ...(list.errorsOnly ? { errors: '1' } : {}),
          limit: String(list.limit * 4),
        }).toString(),
      )}">Show more</a></p>`
    : '';
  const table =
    list.traces.length === 0
      ? `<p class="empty">${list.query || list.errorsOnly ? 'No trace matches.' : 'No traces stored yet.'}</p>`
      : `<table><thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${list.traces
          .map(row)
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
      `<input type="search" name="q" value="${escapeHtml(list.query)}" placeholder="Trace id, service or error" aria-label="Filter traces">`,
      `<label><input type="checkbox" name="errors" value="1"${list.errorsOnly ? ' checked' : ''}> errors only</label>`,
      '<button type="submit">Filter</button>',
      '</form>',
      '<main>',
      `<div class="count">${escapeHtml(counts)}</div>`,
      table,
      more,
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
