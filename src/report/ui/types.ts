// Shapes shared by the HTML report's Node side (viewer-data.ts, html.ts) and its in-page viewer.
// why: compiled by both programs (Node's and the viewer's DOM one), so it names no Node or DOM type.

/**
 * The data embedded in the page: the report tree flattened once, in pre-order, into parallel
 * columns (index `i` is one span everywhere). Strings that repeat (names, services, hosts,
 * projects) are stored once in a table and referenced by index.
 */
export interface ViewerData {
  /** Page heading. */
  title: string;
  /** A link shown above the heading (the trace browser's way back to its list), or null. */
  backLink: { href: string; label: string } | null;
  /** The trace id (`base_id`) when a stored notification names it, else null. */
  baseId: string | null;
  /** `report.info.finished` (0 for an empty report). */
  totalMs: number;
  /** When the trace began: epoch ms (UTC), or null when the store kept no usable timestamp. */
  startedAt: number | null;
  /** Distinct display labels; `name[i]` etc. index into these. */
  names: string[];
  services: string[];
  hosts: string[];
  projects: string[];
  /** Distinct operation labels (report/span-label.ts `spanOperation`: `GET /servers`, `compute.Manager.list`, …). */
  ops: string[];
  /** Per span, pre-order. */
  name: number[];
  /** Index into `ops`. */
  op: number[];
  service: number[];
  host: number[];
  project: number[];
  depth: number[];
  /** Number of descendants: span i's subtree is i+1 … i+size[i]. */
  size: number[];
  started: number[];
  finished: number[];
  /** The exception label of an errored span, '' otherwise. */
  error: string[];
  /** Pre-order indices of the spans on the critical path (report/critical-path.ts), ascending. */
  critical: number[];
  /** `report.stats` as [name, count, summed duration ms] in report order. */
  stats: Array<[string, number, number]>;
}

/** Handle returned by `createPayloadStore` (ui/payloads.ts). */
export interface PayloadStore {
  /** 'ready' once every block is readable; 'failed' if one cannot be decoded. */
  state(): 'loading' | 'ready' | 'failed';
  /** Calls `callback` once every block is readable (at once if they already are). */
  whenReady(callback: () => void): void;
  /** Calls `callback` each time a block becomes readable (details waiting for it can redraw). */
  onBlock(callback: () => void): void;
  /** Whether span `index`'s block is readable yet ('loading' starts loading it first). */
  spanState(index: number): 'loading' | 'ready' | 'failed';
  /** JSON text of span `index` (`[trace_id, parent_id, info]`), or null while loading / if absent. */
  text(index: number): string | null;
  /** Spans whose payload text contains `term` (lower-case), or null until every block is loaded. */
  search(term: string): Uint8Array | null;
}
