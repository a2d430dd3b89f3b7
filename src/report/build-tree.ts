// Report tree assembly for ReportBuilder: links nodes to their parents, cuts cycles, sorts siblings, shapes stats.
import type { IdIndex } from './id-index.js';
import type { Report, ReportNode } from './types.js';

/** One `stats` entry of a report. */
export type Stats = Report['stats'][string];

/**
 * Links `nodes` (one per point, first-seen order, children empty) under their parents and
 * returns the sorted top-level nodes; `indexOf` maps a trace id to its node's index. Linear
 * apart from sorting siblings.
 */
export function buildTree(nodes: ReportNode[], indexOf: IdIndex): ReportNode[] {
  const parent = new Int32Array(nodes.length);
  // why: siblings usually come one after another with the same parent id; one string compare
  // then replaces hashing that id again for the map.
  let lastId: unknown;
  let lastIndex = -1;
  for (let i = 0; i < nodes.length; i++) {
    const id = nodes[i].parent_id;
    if (i === 0 || id !== lastId) {
      lastId = id;
      lastIndex = indexOf.get(id);
    }
    parent[i] = lastIndex;
  }
  breakCycles(parent);

  const roots: ReportNode[] = [];
  for (let i = 0; i < nodes.length; i++) {
    if (parent[i] < 0) roots.push(nodes[i]);
    else nodes[parent[i]].children.push(nodes[i]);
  }
  // why: Python sorts with a stable sort on the already-truncated ms start, so same-ms
  // siblings keep first-seen order; Array.prototype.sort is stable too.
  for (const node of nodes) if (node.children.length > 1) sortByStart(node.children);
  return sortByStart(roots);
}

const byStart = (a: ReportNode, b: ReportNode): number => a.info.started - b.info.started;

/** Stable sort on `info.started`, skipped when the siblings already are in order (the usual case). */
function sortByStart(nodes: ReportNode[]): ReportNode[] {
  for (let i = 1; i < nodes.length; i++) {
    if (nodes[i].info.started < nodes[i - 1].info.started) return nodes.sort(byStart);
  }
  return nodes;
}

/** The report's `stats` object, in first-seen name order. */
export function statsObject(stats: Map<string, Stats>): Report['stats'] {
  const out: Report['stats'] = {};
  for (const [name, entry] of stats) {
    // why: a point named "__proto__" must become an own key, not replace the prototype.
    Object.defineProperty(out, name, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Cuts every cycle in a parent-index array (each node has at most one parent) by making the
 * cycle's earliest node a root. Python would nest such nodes into themselves and then fail
 * rendering; iterative and linear: each node is walked once.
 */
function breakCycles(parent: Int32Array): void {
  const state = new Uint8Array(parent.length); // 0 new, 1 on the current walk, 2 done
  const path: number[] = [];
  for (let start = 0; start < parent.length; start++) {
    if (state[start] !== 0) continue;
    let j = start;
    while (j >= 0 && state[j] === 0) {
      state[j] = 1;
      path.push(j);
      j = parent[j];
    }
    if (j >= 0 && state[j] === 1) {
      // j is on this walk: the cycle is path[from..end]
      let earliest = j;
      for (let k = path.length - 1; path[k] !== j; k--) if (path[k] < earliest) earliest = path[k];
      parent[earliest] = -1;
    }
    for (const k of path) state[k] = 2;
    path.length = 0;
  }
}
