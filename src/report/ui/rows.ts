// In-page row renderer: one span as an indented tree cell plus its bar on the shared timeline.
import { el } from './dom.js';
import { formatDuration, formatPercent } from './format.js';
import type { ViewerData } from './types.js';

/** What {@link renderRow} needs to draw one row. */
export interface RowContext {
  data: ViewerData;
  colors: string[];
  /** Trace duration (ms), the base of percentages. */
  totalMs: number;
  /** The time window the waterfall shows (ms from trace start); the viewer updates it on zoom. */
  viewStart: number;
  viewEnd: number;
  /** Span has a collapsed subtree. */
  isCollapsed(index: number): boolean;
  /** Span matches the active filter (false for spans kept only as ancestors of a match). */
  isMatch(index: number): boolean;
  /** Span is on the critical path and the highlight is on. */
  isCritical(index: number): boolean;
  /** A filter is active (non-matching context rows are dimmed). */
  filtering(): boolean;
  selected(): number;
}

/**
 * Fills `row` (a pooled element from the virtual list) with span `index`.
 * The row's inner structure is created on first use and then only updated.
 * why: text goes through textContent only.
 */
export function renderRow(row: HTMLElement, index: number, ctx: RowContext): void {
  const { data } = ctx;
  if (row.childElementCount === 0) {
    const e = el;
    row.appendChild(
      e('div', 'osp-cell-tree', null, [
        e('span', 'osp-indent'),
        e('span', 'osp-toggle'),
        e('span', 'osp-name'),
        e('span', 'osp-svc'),
        e('span', 'osp-errtag'),
      ]),
    );
    row.appendChild(e('div', 'osp-cell-time', null, [e('div', 'osp-bar'), e('span', 'osp-bar-label')]));
  }
  const tree = row.firstElementChild as HTMLElement;
  const [indent, toggle, name, svc, errtag] = Array.from(tree.children) as HTMLElement[];
  const time = row.lastElementChild as HTMLElement;
  const bar = time.firstElementChild as HTMLElement;
  const label = time.lastElementChild as HTMLElement;

  const depth = data.depth[index];
  const hasChildren = data.size[index] > 0;
  const collapsed = hasChildren && ctx.isCollapsed(index);
  const error = data.error[index];
  const color = ctx.colors[data.service[index] % ctx.colors.length];
  row.dataset.index = String(index);
  row.classList.toggle('osp-selected', ctx.selected() === index);
  row.classList.toggle('osp-has-error', error !== '');
  row.classList.toggle('osp-context', ctx.filtering() && !ctx.isMatch(index));
  row.classList.toggle('osp-hit', ctx.filtering() && ctx.isMatch(index));
  row.classList.toggle('osp-critical', ctx.isCritical(index));
  row.setAttribute('role', 'treeitem');
  row.setAttribute('aria-selected', String(ctx.selected() === index));
  row.setAttribute('aria-level', String(depth + 1));
  if (hasChildren) row.setAttribute('aria-expanded', String(!collapsed));
  else row.removeAttribute('aria-expanded');

  // why: very deep chains would push names out of view; indentation stops growing at 40 levels.
  indent.style.width = Math.min(depth, 40) * 16 + 'px';
  toggle.textContent = hasChildren ? (collapsed ? '\u25b8' : '\u25be') : '';
  toggle.title = hasChildren ? (collapsed ? 'Expand (' + data.size[index] + ' spans)' : 'Collapse') : '';
  const type = data.names[data.name[index]];
  const service = data.services[data.service[index]];
  name.textContent = data.ops[data.op[index]];
  // why: the chip keeps the span type and service visible next to the operation, tinted with the
  // service's colour (8-digit hex: the colour at low alpha).
  svc.textContent = service === '(none)' ? type : type + ' \u00b7 ' + service;
  svc.style.background = color + '1f';
  svc.style.borderColor = color + '99';
  errtag.textContent = '\u2717 ' + error;
  errtag.style.display = error === '' ? 'none' : '';

  const window = Math.max(1e-6, ctx.viewEnd - ctx.viewStart);
  const started = data.started[index];
  const duration = Math.max(0, data.finished[index] - started);
  const from = ((started - ctx.viewStart) / window) * 100;
  const to = ((started + duration - ctx.viewStart) / window) * 100;
  const left = Math.min(100, Math.max(0, from));
  const width = Math.max(0, Math.min(100, to) - left);
  // why: when zoomed in, spans outside the window keep a label at the edge they lie beyond.
  const outside = to < 0 ? 'before' : from > 100 ? 'after' : '';
  bar.style.display = outside === '' ? '' : 'none';
  bar.style.left = left + '%';
  bar.style.width = width + '%';
  bar.style.background = color;
  const text = formatDuration(duration) + ' \u00b7 ' + formatPercent(duration, ctx.totalMs);
  label.textContent = outside === 'before' ? '\u25c2 ' + text : outside === 'after' ? text + ' \u25b8' : text;
  // why: labels go after the bar, or before it when the bar ends near the right edge, or inside
  // a wide bar that spans most of the view, so they never leave the timeline column.
  const place =
    outside === 'before'
      ? 'after'
      : outside === 'after'
        ? 'before'
        : left + width <= 75
          ? 'after'
          : left >= 25
            ? 'before'
            : 'inside';
  label.style.left = place === 'after' ? left + width + '%' : '';
  label.style.right = place === 'before' ? 100 - left + '%' : place === 'inside' ? 100 - left - width + '%' : '';
  label.classList.toggle('osp-label-inside', place === 'inside');
  row.title = data.ops[data.op[index]] + ' (' + type + ', ' + service + ') ' + formatDuration(duration);
}
