// Flattens a report into the column arrays the in-page viewer reads (runs in Node, once per render).
import { criticalPath } from './critical-path.js';
import { spanOperation, spanService } from './span-label.js';
import { reportStartTime } from './start-time.js';
import type { Report, ReportNode } from './types.js';
import { labelOf } from './ui/format.js';
import type { ViewerData } from './ui/types.js';

const RAW_PAYLOAD_PREFIX = 'meta.raw_payload.';

class Interner {
  readonly values: string[] = [];
  readonly #index = new Map<string, number>();
  add(value: string): number {
    let i = this.#index.get(value);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.#index.set(value, i);
    }
    return i;
  }
}

function finiteOr0(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function errorLabel(exception: unknown): string {
  // why: the builder writes the string "None" for a clean stop and null for `etype: null`;
  // start-only points have no key at all. Only a real etype marks the span as failed.
  if (exception === undefined || exception === null || exception === 'None') return '';
  return labelOf(exception) || '(error)';
}

// Info keys the columns already carry; everything else (the raw payloads above all) goes in the payload line.
const COLUMN_KEYS = new Set(['name', 'project', 'service', 'host', 'started', 'finished', 'exception']);

function payloadLine(node: ReportNode): string {
  const info = (node.info ?? {}) as Record<string, unknown>;
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(info)) if (!COLUMN_KEYS.has(key)) rest[key] = info[key];
  try {
    return JSON.stringify([node.trace_id ?? null, node.parent_id ?? null, rest]);
  } catch {
    return JSON.stringify([labelOf(node.trace_id), labelOf(node.parent_id), { error: 'payload not serialisable' }]);
  }
}

function findBaseId(nodes: readonly ReportNode[]): string | null {
  for (const node of nodes.slice(0, 16)) {
    const info = (node?.info ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(info)) {
      if (!key.startsWith(RAW_PAYLOAD_PREFIX)) continue;
      const raw = info[key] as { base_id?: unknown } | null;
      if (raw && typeof raw === 'object' && typeof raw.base_id === 'string') return raw.base_id;
    }
  }
  return null;
}

function childrenOf(node: unknown): ReportNode[] {
  const children = (node as { children?: unknown } | null)?.children;
  return Array.isArray(children) ? (children as ReportNode[]) : [];
}

/** {@link toViewerData}'s result: the columns and, per span, one JSON line of stored payloads. */
export interface FlatReport {
  data: ViewerData;
  /** Per span, `JSON.stringify([trace_id, parent_id, info without the column keys])`. */
  payloads: string[];
}

/**
 * Flattens `report` in pre-order (children in report order) into {@link ViewerData} columns plus
 * one payload line per span. Iterative, so a deep chain cannot overflow the stack; never throws on
 * odd node contents.
 * @since 0.1.0
 */
export function toViewerData(report: Report, title: string): FlatReport {
  const names = new Interner();
  const services = new Interner();
  const hosts = new Interner();
  const projects = new Interner();
  const ops = new Interner();
  const startedAt = reportStartTime(report);
  const onPath = criticalPath(report);
  const data: ViewerData = {
    title,
    backLink: null,
    baseId: findBaseId(childrenOf(report)),
    totalMs: finiteOr0(report?.info?.finished),
    startedAt: startedAt === undefined ? null : startedAt,
    names: names.values,
    services: services.values,
    hosts: hosts.values,
    projects: projects.values,
    ops: ops.values,
    name: [],
    op: [],
    service: [],
    host: [],
    project: [],
    depth: [],
    size: [],
    started: [],
    finished: [],
    error: [],
    critical: [],
    stats: [],
  };
  const payloads: string[] = [];
  const parent: number[] = [];
  const seen = new WeakSet<object>();
  const stack: Array<{ node: ReportNode; depth: number; parent: number }> = [];
  const roots = childrenOf(report);
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ node: roots[i], depth: 0, parent: -1 });
  while (stack.length > 0) {
    const { node, depth, parent: parentIndex } = stack.pop()!;
    // why: a hand-made report could share or loop nodes; each object is shown once.
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    const info = (node.info ?? {}) as Record<string, unknown>;
    const index = data.name.length;
    data.name.push(names.add(labelOf(info.name)));
    data.op.push(ops.add(spanOperation(info)));
    if (onPath.has(node)) data.critical.push(index);
    // why: `project-service` as the terminal and trace list name it (one labelling everywhere).
    data.service.push(services.add(spanService(info) || '(none)'));
    data.host.push(hosts.add(labelOf(info.host)));
    data.project.push(projects.add(labelOf(info.project)));
    data.depth.push(depth);
    data.size.push(0);
    data.started.push(finiteOr0(info.started));
    data.finished.push(finiteOr0(info.finished));
    data.error.push(errorLabel(info.exception));
    payloads.push(payloadLine(node));
    parent.push(parentIndex);
    const children = childrenOf(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], depth: depth + 1, parent: index });
  }
  // why: in pre-order every descendant comes after its ancestor, so one backward pass sums sizes.
  for (let i = parent.length - 1; i >= 0; i--) if (parent[i] >= 0) data.size[parent[i]] += data.size[i] + 1;
  const stats = report?.stats && typeof report.stats === 'object' ? report.stats : {};
  for (const [name, entry] of Object.entries(stats)) {
    data.stats.push([name, finiteOr0(entry?.count), finiteOr0(entry?.duration)]);
  }
  return { data, payloads };
}
