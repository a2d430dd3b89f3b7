// In-page stats panel: summary, time per span type (report.stats) and per service.
import { el } from './dom.js';
import { formatDuration, formatPercent } from './format.js';
import type { ViewerData } from './types.js';

/** What the stats panel needs. */
export interface StatsContext {
  data: ViewerData;
  colors: string[];
  totalMs: number;
  /** Filters the tree to one span type or service (a click on a table row). */
  filter(kind: 'name' | 'service', value: string): void;
}

/**
 * Fills `container` with the summary and the per-type and per-service tables.
 * why: per-type durations are summed over nested spans, so
 * their shares of the trace can add up to more than 100%.
 */
export function renderStats(container: HTMLElement, ctx: StatsContext): void {
  const { data } = ctx;
  const e = el;
  const n = data.depth.length;
  let errors = 0;
  let maxDepth = 0;
  const perService = data.services.map(() => ({ count: 0, duration: 0, errors: 0 }));
  for (let i = 0; i < n; i++) {
    const s = perService[data.service[i]];
    s.count++;
    s.duration += Math.max(0, data.finished[i] - data.started[i]);
    if (data.error[i] !== '') {
      s.errors++;
      errors++;
    }
    if (data.depth[i] > maxDepth) maxDepth = data.depth[i];
  }
  container.textContent = '';
  const cards = e('div', 'osp-cards');
  const card = (label: string, value: string, cls?: string): void => {
    cards.appendChild(
      e('div', 'osp-card' + (cls ? ' ' + cls : ''), null, [
        e('div', 'osp-card-value', value),
        e('div', 'osp-card-label', label),
      ]),
    );
  };
  card('total duration', formatDuration(ctx.totalMs));
  card('spans', n.toLocaleString('en-US'));
  card('services', String(data.services.length));
  card('max depth', String(n > 0 ? maxDepth + 1 : 0));
  card('errors', String(errors), errors > 0 ? 'osp-card-error' : undefined);
  container.appendChild(cards);

  const table = (
    title: string,
    headings: string[],
    rows: Array<{ cells: Array<Node | string>; share: number; kind: 'name' | 'service'; value: string }>,
  ): void => {
    const head = e(
      'tr',
      null,
      null,
      headings.map((h, k) => e('th', k === 0 ? null : 'osp-num', h)),
    );
    const tbody = e('tbody');
    for (const r of rows) {
      const tr = e(
        'tr',
        'osp-click',
        null,
        r.cells.map((c, k) =>
          e('td', k === 0 ? null : 'osp-num', typeof c === 'string' ? c : null, typeof c === 'string' ? [] : [c]),
        ),
      );
      const meter = e('div', 'osp-meter');
      meter.style.width = Math.min(100, r.share * 100) + '%';
      (tr.firstElementChild as HTMLElement).appendChild(meter);
      tr.title = 'Show only these spans';
      tr.addEventListener('click', () => ctx.filter(r.kind, r.value));
      tbody.appendChild(tr);
    }
    container.appendChild(e('h3', null, title));
    container.appendChild(e('table', 'osp-table', null, [e('thead', null, null, [head]), tbody]));
  };

  const byType = data.stats.slice().sort((a, b) => b[2] - a[2]);
  const maxType = byType.length > 0 ? Math.max(1, byType[0][2]) : 1;
  table(
    'Time per span type',
    ['Type', 'Count', 'Total', '% of trace', 'Average'],
    byType.map(([name, count, duration]) => ({
      cells: [
        name,
        String(count),
        formatDuration(duration),
        formatPercent(duration, ctx.totalMs),
        formatDuration(count > 0 ? Math.round(duration / count) : 0),
      ],
      share: duration / maxType,
      kind: 'name' as const,
      value: name,
    })),
  );

  const services = perService.map((s, k) => ({ ...s, k })).sort((a, b) => b.duration - a.duration);
  const maxService = services.length > 0 ? Math.max(1, services[0].duration) : 1;
  table(
    'Time per service',
    ['Service', 'Spans', 'Total', 'Errors'],
    services.map((s) => {
      const dot = e('span', 'osp-dot');
      dot.style.background = ctx.colors[s.k % ctx.colors.length];
      return {
        cells: [
          e('span', null, null, [dot, document.createTextNode(data.services[s.k])]),
          String(s.count),
          formatDuration(s.duration),
          String(s.errors),
        ],
        share: s.duration / maxService,
        kind: 'service' as const,
        value: data.services[s.k],
      };
    }),
  );
  container.appendChild(
    e('p', 'osp-muted', 'Totals add up nested spans, so shares can exceed 100%. Click a row to filter.'),
  );
}
