// In-page overview of the whole trace on one canvas, with a frame showing what the rows below show.
import type { ViewerData } from './types.js';

/** Handle returned by {@link createMinimap}. */
export interface Minimap {
  /** Redraws the overview of the rows shown (pre-order indices); non-matching rows are grey while filtering. */
  draw(rows: ArrayLike<number>, isMatch: (index: number) => boolean, filtering: boolean): void;
  /** Places the frame: row positions `first`…`last` of `total`, and the time window `viewStart`…`viewEnd` ms. */
  frame(first: number, last: number, total: number, viewStart: number, viewEnd: number): void;
}

/**
 * Draws every row as a 1-pixel-high bar (placed by start and duration over the whole trace,
 * coloured by service) on a canvas in `cell`, and a frame over the part the rows below show.
 * Clicking or dragging calls `onPick` with the vertical position picked, 0…1.
 * why: in a trace of 100,000 spans the scrollbar says nothing about where the slow or failed
 * parts are; the overview shows the shape of the whole trace and takes you there.
 */
export function createMinimap(
  cell: HTMLElement,
  data: ViewerData,
  colors: string[],
  totalMs: number,
  onPick: (fraction: number) => void,
): Minimap {
  const canvas = document.createElement('canvas');
  canvas.className = 'osp-minimap-canvas';
  canvas.setAttribute('aria-hidden', 'true');
  const box = document.createElement('div');
  box.className = 'osp-minimap-frame';
  cell.appendChild(canvas);
  cell.appendChild(box);
  const span = totalMs > 0 ? totalMs : 1;
  let last: { rows: ArrayLike<number>; isMatch: (index: number) => boolean; filtering: boolean } | null = null;

  function paint(): void {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(cell.clientWidth * ratio));
    const height = Math.max(1, Math.round(cell.clientHeight * ratio));
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    const g = canvas.getContext('2d');
    if (g === null || last === null) return;
    g.clearRect(0, 0, width, height);
    const rows = last.rows;
    const count = rows.length;
    if (count === 0) return;
    // why: one bar per row; with more rows than pixels several share a pixel row, and the later
    // (deeper) ones draw over earlier ones, as a zoomed-out tree would look.
    const barHeight = Math.max(1, Math.floor(height / count));
    let fill = '';
    for (let pos = 0; pos < count; pos++) {
      const i = rows[pos];
      const color =
        last.filtering && !last.isMatch(i) ? '#d5dae0' : colors[data.service[i] % colors.length] || '#4e79a7';
      if (color !== fill) {
        g.fillStyle = color;
        fill = color;
      }
      // why: whole pixels, so a 1 ms span in a 20 s trace is one crisp pixel, not a faint smear.
      const x = Math.floor((data.started[i] / span) * width);
      const w = Math.max(1, Math.round(((data.finished[i] - data.started[i]) / span) * width));
      g.fillRect(x, Math.floor((pos / count) * height), w, barHeight);
    }
  }

  const pick = (ev: PointerEvent): void => {
    const rect = cell.getBoundingClientRect();
    if (rect.height > 0) onPick(Math.min(1, Math.max(0, (ev.clientY - rect.top) / rect.height)));
  };
  cell.addEventListener('pointerdown', (ev) => {
    cell.setPointerCapture(ev.pointerId);
    pick(ev);
  });
  cell.addEventListener('pointermove', (ev) => {
    if (cell.hasPointerCapture(ev.pointerId)) pick(ev);
  });
  if (typeof ResizeObserver === 'function') new ResizeObserver(paint).observe(cell);

  return {
    draw(rows, isMatch, filtering) {
      last = { rows, isMatch, filtering };
      paint();
    },
    frame(first, lastPos, total, viewStart, viewEnd) {
      const rows = Math.max(1, total);
      box.hidden = total === 0;
      box.style.top = (Math.max(0, first) / rows) * 100 + '%';
      box.style.height = (Math.max(1, Math.min(total, lastPos + 1) - first) / rows) * 100 + '%';
      box.style.left = (Math.max(0, viewStart) / span) * 100 + '%';
      box.style.width = (Math.max(0, Math.min(span, viewEnd) - Math.max(0, viewStart)) / span) * 100 + '%';
    },
  };
}
