// The critical path of a trace: the spans whose time the end-to-end latency is made of.
import type { Report, ReportNode } from './types.js';

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function childrenOf(node: unknown): ReportNode[] {
  const children = (node as { children?: unknown } | null)?.children;
  return Array.isArray(children) ? (children as ReportNode[]).filter((c) => c !== null && typeof c === 'object') : [];
}

/**
 * The points on the critical path. Under each point on the path (starting from the top-level
 * points as children of the whole trace) the child that ends last is on it, then, walking back
 * in time, the child that ended last before that one started (it held the next one up), and so
 * on; recursively. Sequential children are all on the path, a parallel one that ended early is
 * not. Iterative (any depth); a node met twice (hand-made reports) is visited once.
 * @since 0.2.0
 */
export function criticalPath(report: Report): Set<ReportNode> {
  const onPath = new Set<ReportNode>();
  const pending: ReportNode[][] = [childrenOf(report)];
  while (pending.length > 0) {
    const siblings = pending.pop()!;
    if (siblings.length === 0) continue;
    const byEnd = siblings.slice().sort((a, b) => num(b.info?.finished) - num(a.info?.finished));
    let limit = Infinity;
    for (const child of byEnd) {
      if (num(child.info?.finished) > limit) continue;
      if (onPath.has(child)) continue;
      onPath.add(child);
      pending.push(childrenOf(child));
      limit = num(child.info?.started);
    }
  }
  return onPath;
}
