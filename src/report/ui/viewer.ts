// In-page entry point of the HTML report: wires the layout, tree, filter, virtual list and panels.
import { renderDetails } from './details.js';
import { el } from './dom.js';
import { buildLayout } from './layout.js';
import { createMinimap } from './minimap.js';
import { createPayloadStore } from './payloads.js';
import { renderRow } from './rows.js';
import { createMatcher } from './search.js';
import { renderStats } from './stats.js';
import { createTreeModel } from './tree.js';
import { createVirtualList } from './virtual-list.js';
import type { RowContext } from './rows.js';
import type { ViewerData } from './types.js';

/**
 * Starts the viewer in `mount` with the embedded `data`.
 * why: only DOM APIs; no network, no innerHTML (report data reaches the page as text nodes).
 * @since 0.1.0
 */
export function viewerMain(mount: HTMLElement, data: ViewerData): void {
  const colors = [
    '#4e79a7',
    '#f28e2b',
    '#59a14f',
    '#b07aa1',
    '#76b7b2',
    '#edc948',
    '#ff9da7',
    '#9c755f',
    '#8cd17d',
    '#86bcb6',
    '#d4a6c8',
    '#a0cbe8',
  ];
  const n = data.depth.length;
  let totalMs = data.totalMs;
  for (let i = 0; i < n; i++) if (data.finished[i] > totalMs) totalMs = data.finished[i];
  const ui = buildLayout(mount, data, colors, totalMs);
  const tree = createTreeModel(data);
  const payloads = createPayloadStore('osp-payloads', n);
  const matcher = createMatcher(data, tree.parent, payloads);
  let filter = matcher({ query: '', service: -1, name: -1, errorsOnly: false });
  let rows = tree.visibleRows(null);
  let selected = -1;
  const critical = new Uint8Array(n);
  for (const i of data.critical) if (i >= 0 && i < n) critical[i] = 1;
  let showCritical = ui.criticalToggle.checked;

  const ctx: RowContext = {
    data,
    colors,
    totalMs,
    viewStart: 0,
    viewEnd: totalMs > 0 ? totalMs : 1,
    isCollapsed: (i) => tree.collapsed[i] === 1,
    isMatch: (i) => filter.match === null || filter.match[i] === 1,
    isCritical: (i) => showCritical && critical[i] === 1,
    filtering: () => filter.match !== null,
    selected: () => selected,
  };
  const rowHeight = 24;
  const list = createVirtualList(ui.viewport, rowHeight, (row, pos) => renderRow(row, rows[pos], ctx));
  const minimap = createMinimap(ui.minimap, data, colors, totalMs, (fraction) => {
    if (rows.length > 0) list.scrollToPos(Math.min(rows.length - 1, Math.floor(fraction * rows.length)), true);
  });
  // Moves the overview's frame to the rows in view and the zoom window.
  const updateFrame = (): void => {
    const first = Math.floor(ui.viewport.scrollTop / rowHeight);
    minimap.frame(first, first + list.pageSize() - 1, rows.length, ctx.viewStart, ctx.viewEnd);
  };
  ui.viewport.addEventListener('scroll', updateFrame, { passive: true });

  const posOf = (index: number): number => {
    // rows is ascending (pre-order indices), so a binary search finds the position.
    let lo = 0;
    let hi = rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid] === index) return mid;
      if (rows[mid] < index) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  const updateCount = (): void => {
    const total = n.toLocaleString('en-US');
    ui.count.textContent =
      filter.match === null
        ? rows.length.toLocaleString('en-US') + ' of ' + total + ' spans shown'
        : filter.matches.toLocaleString('en-US') + ' of ' + total + ' spans match';
  };
  const noMatch = el('p', 'osp-empty', n === 0 ? 'This trace has no spans.' : 'No span matches the filter.');
  ui.viewport.appendChild(noMatch);
  const relayout = (keepIndex: number): void => {
    rows = tree.visibleRows(filter.keep);
    list.setCount(rows.length);
    minimap.draw(rows, ctx.isMatch, ctx.filtering());
    updateCount();
    noMatch.hidden = rows.length > 0;
    const pos = keepIndex >= 0 ? posOf(keepIndex) : -1;
    if (pos >= 0) list.scrollToPos(pos);
    updateFrame();
  };
  const showTab = (which: 'details' | 'stats'): void => {
    ui.tabs.details.classList.toggle('osp-tab-on', which === 'details');
    ui.tabs.stats.classList.toggle('osp-tab-on', which === 'stats');
    ui.detailsPane.hidden = which !== 'details';
    ui.statsPane.hidden = which !== 'stats';
  };
  const drawAxis = (): void => ui.drawAxis(ctx.viewStart, ctx.viewEnd);
  // Zooms the waterfall to [start, end] ms (the whole trace when start < 0).
  const zoom = (start: number, end: number): void => {
    const whole = start < 0;
    ctx.viewStart = whole ? 0 : Math.max(0, start);
    ctx.viewEnd = whole ? (totalMs > 0 ? totalMs : 1) : Math.min(totalMs > 0 ? totalMs : 1, end);
    ui.resetZoom.hidden = whole;
    drawAxis();
    list.refresh();
    updateFrame();
  };
  let detailsWaiting = false;
  const showDetails = (index: number): void => {
    detailsWaiting = payloads.spanState(index) === 'loading';
    renderDetails(ui.detailsPane, index, {
      data,
      totalMs,
      color: colors[data.service[index] % colors.length],
      parentIndex: tree.parent[index],
      critical: critical[index] === 1,
      payloadState: payloads.spanState(index),
      payload: payloads.text(index),
      go: (i) => select(i, true),
      zoom: (i) => {
        // why: a margin of 5% of the span (at least 1 ms) keeps its edges visible.
        const pad = Math.max(1, (data.finished[i] - data.started[i]) * 0.05);
        zoom(data.started[i] - pad, data.finished[i] + pad);
      },
    });
  };
  const select = (index: number, center = false): void => {
    selected = index;
    if (index < 0) return;
    if (posOf(index) < 0) {
      tree.reveal(index);
      relayout(-1);
    }
    const pos = posOf(index);
    if (pos >= 0) list.scrollToPos(pos, center);
    // why: only the selection mark changes on rows already drawn; re-rendering them all is wasted work.
    for (const row of Array.from(list.content.children) as HTMLElement[]) {
      const on = row.dataset.pos !== '-1' && Number(row.dataset.index) === index;
      row.classList.toggle('osp-selected', on);
      row.setAttribute('aria-selected', String(on));
    }
    showDetails(index);
    ui.detailsPane.scrollTop = 0;
    showTab('details');
  };

  let timer = 0;
  const applyFilter = (): void => {
    window.clearTimeout(timer);
    timer = 0;
    filter = matcher({
      query: ui.search.value,
      service: Number(ui.serviceSelect.value),
      name: Number(ui.typeSelect.value),
      errorsOnly: ui.errorsOnly.checked,
    });
    ui.legend.querySelectorAll<HTMLElement>('.osp-chip').forEach((chip) => {
      chip.classList.toggle(
        'osp-chip-off',
        ui.serviceSelect.value !== '-1' && chip.dataset.service !== ui.serviceSelect.value,
      );
    });
    relayout(selected);
  };
  // why: free-text search over 100k payloads costs tens of ms, so typing is debounced on big traces.
  ui.search.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(applyFilter, n > 20000 ? 200 : 60);
  });
  ui.search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') applyFilter();
    if (ev.key === 'Escape') {
      ui.search.value = '';
      applyFilter();
    }
  });
  ui.serviceSelect.addEventListener('change', applyFilter);
  ui.typeSelect.addEventListener('change', applyFilter);
  ui.errorsOnly.addEventListener('change', applyFilter);
  ui.legend.addEventListener('click', (ev) => {
    const chip = (ev.target as HTMLElement).closest<HTMLElement>('.osp-chip');
    if (!chip) return;
    ui.serviceSelect.value = ui.serviceSelect.value === chip.dataset.service ? '-1' : (chip.dataset.service ?? '-1');
    applyFilter();
  });
  ui.expandAll.addEventListener('click', () => {
    tree.expandAll();
    relayout(selected);
  });
  ui.collapseAll.addEventListener('click', () => {
    tree.collapseAll();
    relayout(-1);
    ui.viewport.scrollTop = 0;
    list.refresh();
  });
  ui.resetZoom.addEventListener('click', () => zoom(-1, -1));
  ui.criticalToggle.addEventListener('change', () => {
    showCritical = ui.criticalToggle.checked;
    list.refresh();
  });
  ui.tabs.details.addEventListener('click', () => showTab('details'));
  ui.tabs.stats.addEventListener('click', () => showTab('stats'));

  const toggle = (index: number): void => {
    tree.toggle(index);
    relayout(index);
  };
  list.content.addEventListener('click', (ev) => {
    const target = ev.target as HTMLElement;
    const row = target.closest<HTMLElement>('.osp-row');
    if (!row) return;
    const index = Number(row.dataset.index);
    if (target.classList.contains('osp-toggle')) toggle(index);
    else select(index);
  });
  list.content.addEventListener('dblclick', (ev) => {
    const row = (ev.target as HTMLElement).closest<HTMLElement>('.osp-row');
    if (row && !(ev.target as HTMLElement).classList.contains('osp-toggle')) toggle(Number(row.dataset.index));
  });
  ui.viewport.addEventListener('keydown', (ev) => {
    const pos = selected >= 0 ? posOf(selected) : -1;
    const move = (to: number): void => {
      if (rows.length > 0) select(rows[Math.max(0, Math.min(rows.length - 1, to))]);
    };
    if (ev.key === 'ArrowDown') move(pos + 1);
    else if (ev.key === 'ArrowUp') move(pos < 0 ? 0 : pos - 1);
    else if (ev.key === 'PageDown') move(pos + list.pageSize());
    else if (ev.key === 'PageUp') move(pos - list.pageSize());
    else if (ev.key === 'Home') move(0);
    else if (ev.key === 'End') move(rows.length - 1);
    else if (ev.key === 'ArrowRight' && selected >= 0) {
      if (tree.collapsed[selected] === 1) toggle(selected);
      else if (tree.hasChildren(selected)) move(pos + 1);
    } else if (ev.key === 'ArrowLeft' && selected >= 0) {
      if (tree.hasChildren(selected) && tree.collapsed[selected] === 0) toggle(selected);
      else if (tree.parent[selected] >= 0) select(tree.parent[selected]);
    } else if ((ev.key === 'Enter' || ev.key === ' ') && selected >= 0) toggle(selected);
    else return;
    ev.preventDefault();
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === '/' && document.activeElement !== ui.search) {
      ev.preventDefault();
      ui.search.focus();
    }
  });

  renderStats(ui.statsPane, {
    data,
    colors,
    totalMs,
    filter: (kind, value) => {
      const box = kind === 'name' ? ui.typeSelect : ui.serviceSelect;
      const labels = kind === 'name' ? data.names : data.services;
      box.value = String(labels.indexOf(value));
      applyFilter();
    },
  });
  ui.detailsPane.appendChild(
    el(
      'p',
      'osp-hint',
      'Click a span to see its timing, error, SQL, HTTP request, function arguments and raw start/stop payloads.',
    ),
  );
  showTab(n > 0 ? 'details' : 'stats');
  relayout(-1);
  drawAxis();
  // why: the payload block follows this script in the page, so it is parsed after the first paint.
  payloads.onBlock(() => {
    if (detailsWaiting && selected >= 0 && payloads.spanState(selected) !== 'loading') showDetails(selected);
  });
  payloads.whenReady(() => {
    if (!filter.complete) applyFilter();
  });
  if (typeof ResizeObserver === 'function') new ResizeObserver(drawAxis).observe(ui.axis);
  mount.dataset.ready = 'true';
}
