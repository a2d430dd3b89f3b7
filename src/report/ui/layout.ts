// In-page page skeleton: header, toolbar, legend, trace pane with time axis, side panel.
import { el } from './dom.js';
import { formatClock, formatDuration } from './format.js';
import type { ViewerData } from './types.js';

/** The elements {@link buildLayout} creates and the viewer wires up. */
export interface Layout {
  root: HTMLElement;
  search: HTMLInputElement;
  serviceSelect: HTMLSelectElement;
  typeSelect: HTMLSelectElement;
  errorsOnly: HTMLInputElement;
  /** Highlights the critical path in the waterfall (on at start). */
  criticalToggle: HTMLInputElement;
  expandAll: HTMLButtonElement;
  collapseAll: HTMLButtonElement;
  count: HTMLElement;
  legend: HTMLElement;
  axis: HTMLElement;
  /** The cell the overview canvas goes in (time column width, above the axis). */
  minimap: HTMLElement;
  grid: HTMLElement;
  viewport: HTMLElement;
  tabs: { details: HTMLButtonElement; stats: HTMLButtonElement };
  detailsPane: HTMLElement;
  statsPane: HTMLElement;
  resetZoom: HTMLButtonElement;
  /** Redraws the time axis ticks and grid lines for the window `start`…`end` (ms) and current width. */
  drawAxis(start: number, end: number): void;
}

/**
 * Builds the viewer's static DOM under `mount`.
 * why: only labels from `data` are used, via textContent.
 */
export function buildLayout(mount: HTMLElement, data: ViewerData, colors: string[], totalMs: number): Layout {
  const e = el;
  const n = data.depth.length;
  const errors = data.error.reduce((c, v) => (v === '' ? c : c + 1), 0);
  const button = (text: string, id: string): HTMLButtonElement => {
    const b = e('button', 'osp-btn', text);
    b.type = 'button';
    b.id = id;
    return b;
  };
  const select = (id: string, all: string, labels: string[]): HTMLSelectElement => {
    const s = e('select', 'osp-select');
    s.id = id;
    const opt = e('option', null, all);
    opt.value = '-1';
    s.appendChild(opt);
    labels
      .map((label, k) => ({ label, k }))
      .sort((a, b) => a.label.localeCompare(b.label))
      .forEach(({ label, k }) => {
        const o = e('option', null, label);
        o.value = String(k);
        s.appendChild(o);
      });
    return s;
  };

  const backLink = (link: { href: string; label: string }): HTMLAnchorElement => {
    const a = e('a', 'osp-brand osp-back', link.label);
    a.href = link.href;
    return a;
  };

  const summary = e('div', 'osp-summary', null, [
    e('span', null, n.toLocaleString('en-US') + (n === 1 ? ' span' : ' spans')),
    e('span', null, formatDuration(totalMs)),
    e('span', null, data.services.length + (data.services.length === 1 ? ' service' : ' services')),
    e('span', errors > 0 ? 'osp-summary-error' : null, errors + (errors === 1 ? ' error' : ' errors')),
  ]);
  summary.id = 'osp-summary';
  const started = data.startedAt === null ? null : e('div', 'osp-started', 'Started ' + formatClock(data.startedAt));
  if (started) started.id = 'osp-started';
  const header = e('header', 'osp-header', null, [
    e('div', 'osp-title-block', null, [
      data.backLink ? backLink(data.backLink) : e('div', 'osp-brand', 'OSProfiler trace'),
      e('h1', 'osp-title', data.title),
      data.baseId && !data.title.includes(data.baseId) ? e('div', 'osp-trace-id', 'trace ' + data.baseId) : null,
      started,
    ]),
    summary,
  ]);

  const search = e('input', 'osp-search');
  search.type = 'search';
  search.id = 'osp-search';
  search.placeholder = 'Search operation, service, host, SQL, URL\u2026  (op:  name:  service:  is:error)';
  search.setAttribute('aria-label', 'Search spans');
  search.spellcheck = false;
  const serviceSelect = select('osp-service', 'All services', data.services);
  const typeSelect = select('osp-type', 'All span types', data.names);
  const errorsOnly = e('input');
  errorsOnly.type = 'checkbox';
  errorsOnly.id = 'osp-errors-only';
  const criticalToggle = e('input');
  criticalToggle.type = 'checkbox';
  criticalToggle.id = 'osp-critical';
  criticalToggle.checked = true;
  const expandAll = button('Expand all', 'osp-expand-all');
  const collapseAll = button('Collapse all', 'osp-collapse-all');
  const resetZoom = button('Reset zoom', 'osp-reset-zoom');
  resetZoom.hidden = true;
  const count = e('span', 'osp-count');
  count.id = 'osp-count';
  const toolbar = e('div', 'osp-toolbar', null, [
    search,
    serviceSelect,
    typeSelect,
    e('label', 'osp-check', null, [errorsOnly, document.createTextNode(' Errors only')]),
    e('label', 'osp-check osp-check-critical', null, [criticalToggle, document.createTextNode(' Critical path')]),
    expandAll,
    collapseAll,
    resetZoom,
    count,
  ]);

  const legend = e('div', 'osp-legend');
  data.services.forEach((label, k) => {
    const dot = e('span', 'osp-dot');
    dot.style.background = colors[k % colors.length];
    const chip = e('button', 'osp-chip', null, [dot, document.createTextNode(label)]);
    chip.type = 'button';
    chip.dataset.service = String(k);
    chip.title = 'Show only ' + label;
    legend.appendChild(chip);
  });

  const axis = e('div', 'osp-cell-time osp-axis');
  const head = e('div', 'osp-trace-head', null, [e('div', 'osp-cell-tree osp-head-label', 'Span'), axis]);
  const grid = e('div', 'osp-grid');
  const viewport = e('div', 'osp-viewport');
  viewport.id = 'osp-rows';
  viewport.tabIndex = 0;
  viewport.setAttribute('role', 'tree');
  viewport.setAttribute('aria-label', 'Spans');
  const minimap = e('div', 'osp-cell-time osp-minimap-cell');
  minimap.id = 'osp-minimap';
  minimap.title = 'Overview of the whole trace: click or drag to go there';
  const overview = e('div', 'osp-minimap', null, [e('div', 'osp-cell-tree osp-head-label', 'Overview'), minimap]);
  const trace = e('section', 'osp-trace', null, [overview, head, e('div', 'osp-body', null, [grid, viewport])]);

  const tab = (text: string, id: string): HTMLButtonElement => {
    const b = button(text, id);
    b.className = 'osp-tab';
    return b;
  };
  const tabs = { details: tab('Span details', 'osp-tab-details'), stats: tab('Stats', 'osp-tab-stats') };
  const detailsPane = e('div', 'osp-pane osp-details');
  detailsPane.id = 'osp-details';
  const statsPane = e('div', 'osp-pane osp-stats');
  statsPane.id = 'osp-stats';
  const side = e('aside', 'osp-side', null, [
    e('div', 'osp-tabs', null, [tabs.details, tabs.stats]),
    detailsPane,
    statsPane,
  ]);

  const root = e('div', 'osp-app', null, [header, toolbar, legend, e('main', 'osp-main', null, [trace, side])]);
  mount.appendChild(root);

  function drawAxis(start: number, end: number): void {
    axis.textContent = '';
    grid.textContent = '';
    const width = axis.clientWidth || 600;
    const span = Math.max(1e-6, end - start);
    // why: 1/2/2.5/5 × 10^k steps give round labels about every 90 px whatever the window length
    // (2.5 only from 25 ms up, so ticks stay on whole milliseconds).
    const rough = span / Math.max(1, Math.floor(width / 90));
    const power = Math.pow(10, Math.floor(Math.log10(Math.max(rough, 1))));
    const factors = power >= 10 ? [1, 2, 2.5, 5, 10] : [1, 2, 5, 10];
    const step = factors.map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
    const treeWidth = (head.firstElementChild as HTMLElement).offsetWidth;
    grid.style.left = treeWidth + 'px';
    grid.style.right = viewport.offsetWidth - viewport.clientWidth + 'px';
    // why: the last tick is the window's end (the trace's end when not zoomed), so the axis says
    // where the trace stops instead of stopping at the last round number before it.
    const ticks: number[] = [];
    for (let t = Math.ceil(start / step) * step; t < end - 1e-9; t += step) ticks.push(t);
    while (ticks.length > 1 && ((end - ticks[ticks.length - 1]) / span) * width < 120) ticks.pop();
    ticks.push(end);
    for (const t of ticks) {
      const pct = ((t - start) / span) * 100;
      const v = Number.isInteger(t) ? t : Math.round(t);
      // why: zoomed into a few ms deep in a long trace, "22.6 s" on every tick would say nothing;
      // sub-second steps are labelled in whole milliseconds.
      const label =
        step < 1000 && v >= 1000
          ? v.toLocaleString('en-US') + ' ms'
          : formatDuration(v)
              .replace(/(\.\d*[1-9])0+ s$/, '$1 s')
              .replace(/\.0+ s$/, ' s');
      const tick = e('span', 'osp-tick', label);
      tick.style.left = pct + '%';
      if (pct > 94) tick.classList.add('osp-tick-end');
      axis.appendChild(tick);
      const line = e('span', 'osp-gridline');
      line.style.left = pct + '%';
      grid.appendChild(line);
    }
  }

  return {
    root,
    search,
    serviceSelect,
    typeSelect,
    errorsOnly,
    criticalToggle,
    expandAll,
    collapseAll,
    resetZoom,
    count,
    legend,
    axis,
    minimap,
    grid,
    viewport,
    tabs,
    detailsPane,
    statsPane,
    drawAxis,
  };
}
