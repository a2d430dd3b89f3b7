// Shapes shared by the HTML report's Node side (data.ts, html.ts) and its in-page viewer code.
import type { formatClock, formatDuration, formatPercent, labelOf } from './format.js';
import type { createTreeModel } from './tree.js';
import type { createMatcher } from './search.js';
import type { createVirtualList } from './virtual-list.js';
import type { renderRow } from './rows.js';
import type { renderDetails } from './details.js';
import type { renderStats } from './stats.js';
import type { el } from './dom.js';
import type { buildLayout } from './layout.js';
import type { createPayloadStore } from './payloads.js';
import type { createMinimap } from './minimap.js';

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

/**
 * The viewer's helper functions. They are shipped to the page as source text (`fn.toString()`),
 * so none of them may reference module scope: they reach each other only through this object.
 */
export interface ViewerLib {
  el: typeof el;
  formatDuration: typeof formatDuration;
  formatPercent: typeof formatPercent;
  formatClock: typeof formatClock;
  labelOf: typeof labelOf;
  createTreeModel: typeof createTreeModel;
  createMatcher: typeof createMatcher;
  createVirtualList: typeof createVirtualList;
  renderRow: typeof renderRow;
  renderDetails: typeof renderDetails;
  renderStats: typeof renderStats;
  buildLayout: typeof buildLayout;
  createPayloadStore: typeof createPayloadStore;
  createMinimap: typeof createMinimap;
}

/** What rows.ts needs to draw one row. */
export interface RowContext {
  data: ViewerData;
  lib: ViewerLib;
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
