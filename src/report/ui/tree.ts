// In-page tree state: parent links, collapsed flags and the list of rows currently visible.
import type { ViewerData } from './types.js';

/** The tree state {@link createTreeModel} returns. */
export interface TreeModel {
  /** Parent index per span (-1 for a root). */
  parent: Int32Array;
  collapsed: Uint8Array;
  hasChildren(index: number): boolean;
  /** Visible spans in display order: no collapsed ancestor, and `keep[i]` set when a filter is given. */
  visibleRows(keep: Uint8Array | null): Int32Array;
  toggle(index: number): void;
  setCollapsed(index: number, value: boolean): void;
  expandAll(): void;
  /** Collapses every span that has children (only roots stay visible). */
  collapseAll(): void;
  /** Expands the ancestors of `index` so that it is visible. */
  reveal(index: number): void;
}

/**
 * Builds the tree model over the pre-order columns of `data` in O(n).
 * why: runs in the page on up to 100k spans, so it uses typed arrays and no recursion.
 */
export function createTreeModel(data: ViewerData): TreeModel {
  const n = data.depth.length;
  const parent = new Int32Array(n);
  const collapsed = new Uint8Array(n);
  // Pre-order + depth: the parent of i is the last span seen one level up.
  const lastAtDepth: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = data.depth[i];
    parent[i] = d > 0 ? lastAtDepth[d - 1] : -1;
    lastAtDepth[d] = i;
  }
  const rows = new Int32Array(n);
  return {
    parent,
    collapsed,
    hasChildren: (index) => data.size[index] > 0,
    visibleRows(keep) {
      let count = 0;
      for (let i = 0; i < n; i++) {
        if (keep !== null && keep[i] === 0) {
          i += data.size[i];
          continue;
        }
        rows[count++] = i;
        if (collapsed[i] === 1) i += data.size[i];
      }
      return rows.slice(0, count);
    },
    toggle(index) {
      if (data.size[index] > 0) collapsed[index] = collapsed[index] === 1 ? 0 : 1;
    },
    setCollapsed(index, value) {
      if (data.size[index] > 0) collapsed[index] = value ? 1 : 0;
    },
    expandAll() {
      collapsed.fill(0);
    },
    collapseAll() {
      for (let i = 0; i < n; i++) collapsed[i] = data.size[i] > 0 ? 1 : 0;
    },
    reveal(index) {
      for (let p = parent[index]; p >= 0; p = parent[p]) collapsed[p] = 0;
    },
  };
}
