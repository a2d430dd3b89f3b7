// In-page virtual list: a scrolling viewport holding only the rows in view (plus a small margin).

/** Handle returned by {@link createVirtualList}. */
export interface VirtualList {
  /** The element rows are placed in (event delegation target). */
  content: HTMLElement;
  /** Sets the number of rows and redraws. */
  setCount(count: number): void;
  /** Redraws every row in view (after a selection or style change). */
  refresh(): void;
  /** Scrolls the least needed to show row `pos` (centres it when `center`); draws rows that came into view. */
  scrollToPos(pos: number, center?: boolean): void;
  /** Number of rows that fit in the viewport. */
  pageSize(): number;
}

/**
 * Makes `viewport` (a scrollable element) show `count` rows of `rowHeight` px, rendering only those
 * in view with `render(rowElement, pos)`. Row elements are pooled and reused; each carries its
 * position in `data-pos`.
 * why: a 100,000-span trace must stay responsive, so the DOM holds about a screenful of rows and a
 * scroll only re-renders rows whose position changed. Plain height on one sizer element limits
 * this to ~1.3 M rows at 24 px (Chromium's ~33 M px element height cap).
 */
export function createVirtualList(
  viewport: HTMLElement,
  rowHeight: number,
  render: (row: HTMLElement, pos: number) => void,
): VirtualList {
  const overscan = 8;
  const content = document.createElement('div');
  content.className = 'osp-vl-content';
  content.style.position = 'relative';
  viewport.appendChild(content);
  const pool: HTMLElement[] = [];
  let count = 0;
  let scheduled = 0;
  let dirty = true;

  function draw(): void {
    scheduled = 0;
    const top = viewport.scrollTop;
    const height = viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
    const last = Math.min(count - 1, Math.ceil((top + height) / rowHeight) + overscan);
    const needed = Math.max(0, last - first + 1);
    while (pool.length < needed) {
      const row = document.createElement('div');
      row.className = 'osp-row';
      row.style.position = 'absolute';
      row.style.left = '0';
      row.style.right = '0';
      row.style.height = rowHeight + 'px';
      row.dataset.pos = '-1';
      content.appendChild(row);
      pool.push(row);
    }
    // why: a row keeps the slot pos % pool.length, so scrolling by a few rows re-renders only
    // the rows that entered the view.
    const used = new Uint8Array(pool.length);
    for (let pos = first; pos <= last; pos++) {
      const slot = pos % pool.length;
      const row = pool[slot];
      used[slot] = 1;
      if (dirty || row.dataset.pos !== String(pos)) {
        row.dataset.pos = String(pos);
        row.style.transform = 'translateY(' + pos * rowHeight + 'px)';
        row.style.display = '';
        render(row, pos);
      }
    }
    for (let slot = 0; slot < pool.length; slot++) {
      if (used[slot] === 0 && pool[slot].style.display !== 'none') {
        pool[slot].style.display = 'none';
        pool[slot].dataset.pos = '-1';
      }
    }
    dirty = false;
  }

  function schedule(): void {
    if (scheduled === 0) scheduled = requestAnimationFrame(draw);
  }

  // why: scroll events already come once per frame, just before painting, so drawing right away
  // (not in a later requestAnimationFrame) shows the new rows in the same frame.
  viewport.addEventListener('scroll', () => draw(), { passive: true });
  if (typeof ResizeObserver === 'function') new ResizeObserver(schedule).observe(viewport);
  return {
    content,
    setCount(next) {
      count = next;
      content.style.height = count * rowHeight + 'px';
      dirty = true;
      draw();
    },
    refresh() {
      dirty = true;
      draw();
    },
    scrollToPos(pos, center) {
      const height = viewport.clientHeight;
      const y = pos * rowHeight;
      if (center) viewport.scrollTop = Math.max(0, y - height / 2 + rowHeight / 2);
      else if (y < viewport.scrollTop) viewport.scrollTop = y;
      else if (y + rowHeight > viewport.scrollTop + height) viewport.scrollTop = y + rowHeight - height;
      draw();
    },
    pageSize: () => Math.max(1, Math.floor(viewport.clientHeight / rowHeight)),
  };
}
