// In-page search: which spans match the query / service / errors-only filter, and which are kept as context.
import type { PayloadStore, ViewerData } from './types.js';

/** The filter the toolbar describes. */
export interface FilterSpec {
  /** Free text; terms separated by spaces must all match. `name:`, `service:`, `host:`,
   * `project:` restrict a term to one field; `is:error` keeps failed spans. Case-insensitive. */
  query: string;
  /** Index into `data.services`, or -1 for every service. */
  service: number;
  /** Index into `data.names`, or -1 for every span type. */
  name: number;
  errorsOnly: boolean;
}

/** Result of a filter: null arrays when no filter is active. */
export interface FilterResult {
  /** 1 for spans that match. */
  match: Uint8Array | null;
  /** 1 for spans that match or have a matching descendant (the rows to show). */
  keep: Uint8Array | null;
  matches: number;
  /** False when free text was searched before the payloads were loaded (redo it later). */
  complete: boolean;
}

/**
 * Returns a filter function over `data`; `parent` is the tree model's parent array; free text is
 * also looked for in the stored payloads (SQL, URLs, arguments, error messages).
 */
export function createMatcher(
  data: ViewerData,
  parent: Int32Array,
  payloads: PayloadStore,
): (spec: FilterSpec) => FilterResult {
  const n = data.depth.length;
  const lower = (values: string[]): string[] => values.map((v) => v.toLowerCase());
  const tables: Record<string, { labels: string[]; column: number[] }> = {
    name: { labels: lower(data.names), column: data.name },
    op: { labels: lower(data.ops), column: data.op },
    service: { labels: lower(data.services), column: data.service },
    host: { labels: lower(data.hosts), column: data.host },
    project: { labels: lower(data.projects), column: data.project },
  };
  let complete = true;

  function fieldHits(field: string, term: string): Uint8Array {
    const table = tables[field];
    const hits = new Uint8Array(table.labels.length);
    for (let k = 0; k < hits.length; k++) hits[k] = table.labels[k].includes(term) ? 1 : 0;
    return hits;
  }

  function termTest(raw: string): (i: number) => boolean {
    const colon = raw.indexOf(':');
    const field = colon > 0 ? raw.slice(0, colon) : '';
    const term = colon > 0 ? raw.slice(colon + 1) : raw;
    if (field === 'is' && (term === 'error' || term === 'err' || term === 'failed')) return (i) => data.error[i] !== '';
    if (Object.hasOwn(tables, field)) {
      const hits = fieldHits(field, term);
      const column = tables[field].column;
      return (i) => hits[column[i]] === 1;
    }
    const perField = Object.keys(tables).map((f) => ({ hits: fieldHits(f, raw), column: tables[f].column }));
    const inPayload = payloads.search(raw);
    if (inPayload === null) complete = false;
    return (i) => {
      for (const t of perField) if (t.hits[t.column[i]] === 1) return true;
      if (data.error[i] !== '' && data.error[i].toLowerCase().includes(raw)) return true;
      return inPayload !== null && inPayload[i] === 1;
    };
  }

  return (spec) => {
    const terms = spec.query
      .toLowerCase()
      .split(/\s+/)
      .filter((t) => t.length > 0);
    complete = true;
    if (terms.length === 0 && spec.service < 0 && spec.name < 0 && !spec.errorsOnly)
      return { match: null, keep: null, matches: n, complete };
    const tests = terms.map(termTest);
    const match = new Uint8Array(n);
    let matches = 0;
    for (let i = 0; i < n; i++) {
      if (spec.service >= 0 && data.service[i] !== spec.service) continue;
      if (spec.name >= 0 && data.name[i] !== spec.name) continue;
      if (spec.errorsOnly && data.error[i] === '') continue;
      let ok = true;
      for (const test of tests) {
        if (!test(i)) {
          ok = false;
          break;
        }
      }
      if (ok) {
        match[i] = 1;
        matches++;
      }
    }
    const keep = match.slice();
    // why: children come after parents in pre-order, so a backward pass marks every ancestor.
    for (let i = n - 1; i >= 0; i--) if (keep[i] === 1 && parent[i] >= 0) keep[parent[i]] = 1;
    return { match, keep, matches, complete };
  };
}
