// Renders a trace comparison as one self-contained page: both waterfalls on one time scale (inline SVG) and the tables; no script.
import { cspHash, escapeHtml } from './html-escape.js';
import { htmlPage } from './html-page.js';
import type { CompareRow, TraceComparison } from './compare.js';
import { spanOperation, spanService, walkReport } from './span-label.js';
import { formatUtc, reportStartTime } from './start-time.js';
import type { Report } from './types.js';

/** One side of the page: the report and how to name it. */
export interface ComparedTrace {
  report: Report;
  /** The trace id or file name. */
  label: string;
}

/** Options of {@link renderComparisonHtml}. */
export interface ComparisonHtmlOptions {
  /** Rows drawn per waterfall (default 400; the rest are counted, not drawn). */
  maxRows?: number;
  /** Rows per table (default 50). */
  maxTableRows?: number;
}

const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f'];
const ROW_H = 22;

const CSS = `
:root{--fg:#1f2328;--muted:#656d76;--line:#e6e9ed;--soft:#f6f8fa;--accent:#0b5cad;--err:#c62828;--slow:#b42318;--fast:#1a7f37;font-size:13px}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header{padding:12px 16px 10px;border-bottom:1px solid var(--line)}
.brand{font-size:11px;font-weight:600;letter-spacing:.06em;text-transform:uppercase;color:var(--accent)}
h1{margin:2px 0 6px;font-size:18px;font-weight:600}
h2{margin:18px 0 8px;font-size:13px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
main{padding:0 16px 24px}
.sides{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;font-variant-numeric:tabular-nums}
.sides b{font-weight:600}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.slow{color:var(--slow);font-weight:600}.fast{color:var(--fast);font-weight:600}.same{color:var(--muted)}
.wf{border:1px solid var(--line);border-radius:6px;margin-bottom:12px;overflow:hidden}
.wf-head{display:flex;justify-content:space-between;padding:6px 10px;background:var(--soft);border-bottom:1px solid var(--line);font-weight:600}
.wf-head span{font-weight:400;color:var(--muted)}
svg{display:block;width:100%}
svg text{font-size:12px;fill:var(--fg);font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
svg .tick{fill:var(--muted);font-size:11px}
svg .err{fill:var(--err)}
.note{color:var(--muted);padding:4px 10px 8px}
.tables{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:0 24px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;margin-bottom:8px}
th{text-align:right;font-size:12px;color:var(--muted);font-weight:600;border-bottom:1px solid var(--line);padding:4px 6px;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
td{padding:4px 6px;border-bottom:1px solid #f0f2f4;text-align:right;white-space:nowrap}
td:first-child{white-space:normal;overflow-wrap:anywhere;max-width:420px}
`;

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

function delta(value: number): string {
  const v = Math.round(value);
  const cls = v > 0 ? 'slow' : v < 0 ? 'fast' : 'same';
  return `<span class="${cls}">${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v)} ms</span>`;
}

/** A round step for about `count` ticks over `span` ms. */
function tickStep(span: number, count: number): number {
  const rough = span / count;
  const power = Math.pow(10, Math.floor(Math.log10(Math.max(rough, 1))));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
}

function waterfall(
  side: ComparedTrace,
  name: string,
  scaleMs: number,
  colorOf: (s: string) => string,
  maxRows: number,
): string {
  const rows: string[] = [];
  let total = 0;
  walkReport(Array.isArray(side.report?.children) ? side.report.children : [], (node, depth) => {
    total++;
    if (rows.length >= maxRows) return;
    const info = (node.info ?? {}) as Record<string, unknown>;
    const started = num(info.started);
    const duration = Math.max(0, num(info.finished) - started);
    const service = spanService(info) || '(none)';
    const op = spanOperation(info);
    const failed = info.exception !== undefined && info.exception !== null && info.exception !== 'None';
    const y = rows.length * ROW_H;
    const x = (started / scaleMs) * 100;
    const w = Math.max(0.15, (duration / scaleMs) * 100);
    const label = `${'\u00a0'.repeat(Math.min(depth, 20) * 2)}${cut(op, 56)}`;
    rows.push(
      `<text x="8" y="${y + 15}"${failed ? ' class="err"' : ''}>${escapeHtml(label)}<title>${escapeHtml(`${op} (${String(info.name)}, ${service})`)}</title></text>` +
        `<svg x="38%" width="54%" y="${y}" height="${ROW_H}" overflow="visible"><rect x="${x.toFixed(3)}%" y="5" width="${w.toFixed(3)}%" height="12" rx="2" fill="${colorOf(service)}"${failed ? ' stroke="#c62828" stroke-width="2"' : ''}><title>${escapeHtml(`${op}: ${duration} ms from +${started} ms`)}</title></rect>` +
        `<text x="${Math.min(100, x + w).toFixed(3)}%" dx="4" y="15" class="tick">${duration} ms</text></svg>`,
    );
  });
  const height = rows.length * ROW_H + 24;
  const ticks: string[] = [];
  const step = tickStep(scaleMs, 6);
  for (let t = 0; t <= scaleMs + 1e-9; t += step) {
    const pct = (t / scaleMs) * 100;
    ticks.push(
      `<line x1="${pct}%" x2="${pct}%" y1="0" y2="${height - 18}" stroke="#eef0f3"/><text x="${pct}%" dx="3" y="${height - 5}" class="tick">${ms(t)}</text>`,
    );
  }
  const startedAt = reportStartTime(side.report);
  const duration = num(side.report?.info?.finished);
  return [
    `<section class="wf"><div class="wf-head">${escapeHtml(name)}: ${escapeHtml(side.label)}<span>${ms(duration)}${startedAt !== undefined ? ` · started ${escapeHtml(formatUtc(startedAt))}` : ''}</span></div>`,
    `<svg height="${height}" role="img" aria-label="${escapeHtml(`Waterfall of trace ${name}`)}">`,
    `<svg x="38%" width="54%" height="${height}" overflow="visible">${ticks.join('')}<line x1="${((duration / scaleMs) * 100).toFixed(3)}%" x2="${((duration / scaleMs) * 100).toFixed(3)}%" y1="0" y2="${height - 18}" stroke="#1f2328" stroke-dasharray="3 3"/></svg>`,
    rows.join(''),
    '</svg>',
    total > rows.length ? `<div class="note">First ${rows.length} of ${total} spans drawn.</div>` : '',
    '</section>',
  ].join('');
}

function table(title: string, head: string, rows: CompareRow[], max: number): string {
  const shown = rows.slice(0, max);
  const body = shown
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.key)}</td><td>${r.a.count}</td><td>${r.b.count}</td><td>${ms(r.a.totalMs)}</td><td>${ms(r.b.totalMs)}</td><td>${ms(r.a.selfMs)}</td><td>${ms(r.b.selfMs)}</td><td>${delta(r.deltaMs)}</td><td>${delta(r.deltaSelfMs)}</td></tr>`,
    )
    .join('');
  return [
    `<section><h2>${escapeHtml(title)}${rows.length > shown.length ? ` (largest ${shown.length} of ${rows.length})` : ''}</h2>`,
    `<table><thead><tr><th>${escapeHtml(head)}</th><th>count A</th><th>count B</th><th>total A</th><th>total B</th><th>self A</th><th>self B</th><th>Δ total</th><th>Δ self</th></tr></thead>`,
    `<tbody>${body}</tbody></table></section>`,
  ].join('');
}

/**
 * The comparison of `a` and `b` as one HTML file: both traces' waterfalls drawn on the same time
 * scale (so a longer bar is a longer span), then the tables by span type, service and operation.
 * Static: inline SVG and one stylesheet allowed by hash (`default-src 'none'`, no script); every
 * value from the traces is escaped.
 * @since 0.2.0
 */
export function renderComparisonHtml(
  cmp: TraceComparison,
  a: ComparedTrace,
  b: ComparedTrace,
  options: ComparisonHtmlOptions = {},
): string {
  const maxRows = Math.max(1, Math.floor(options.maxRows ?? 400));
  const maxTable = Math.max(1, Math.floor(options.maxTableRows ?? 50));
  const services = cmp.byService.map((r) => r.key).sort();
  const colorOf = (service: string): string => COLORS[Math.max(0, services.indexOf(service)) % COLORS.length]!;
  const scale = Math.max(1, cmp.a.durationMs, cmp.b.durationMs);
  const change = cmp.b.durationMs - cmp.a.durationMs;
  const pct =
    cmp.a.durationMs > 0
      ? ` (${change >= 0 ? '+' : '−'}${Math.abs((change / cmp.a.durationMs) * 100).toFixed(1)}%)`
      : '';
  const csp = `default-src 'none'; style-src ${cspHash(CSS)}; base-uri 'none'; form-action 'none'`;
  const title = `Trace comparison: ${a.label} vs ${b.label}`;
  return htmlPage({
    title,
    css: CSS,
    csp,
    body: [
      '<header><div class="brand">OSProfiler trace comparison</div><h1>A vs B</h1><div class="sides">',
      `<b>A</b><span><span class="mono">${escapeHtml(a.label)}</span> — ${ms(cmp.a.durationMs)}, ${cmp.a.spans} spans${cmp.a.errors ? `, ${cmp.a.errors} error${cmp.a.errors === 1 ? '' : 's'}` : ''}</span>`,
      `<b>B</b><span><span class="mono">${escapeHtml(b.label)}</span> — ${ms(cmp.b.durationMs)}, ${cmp.b.spans} spans${cmp.b.errors ? `, ${cmp.b.errors} error${cmp.b.errors === 1 ? '' : 's'}` : ''}</span>`,
      `<b>Δ</b><span id="osp-delta">${delta(change)}${pct}</span>`,
      '</div></header>',
      '<main>',
      `<h2>Waterfalls on one time scale (0 – ${ms(scale)})</h2>`,
      waterfall(a, 'A', scale, colorOf, maxRows),
      waterfall(b, 'B', scale, colorOf, maxRows),
      '<div class="tables">',
      table('By span type', 'type', cmp.byType, maxTable),
      table('By service', 'service', cmp.byService, maxTable),
      '</div>',
      table('By operation', 'operation', cmp.byOperation, maxTable),
      '</main>',
    ],
  });
}
