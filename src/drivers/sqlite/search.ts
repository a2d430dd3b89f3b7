// Trace search over the SQLite store: newest first, filtered, paged, by walking the timestamp index down from the page's top.
import type BetterSqlite3 from 'better-sqlite3';
import { spanOperation } from '../../report/span-label.js';
import { decodeDataColumn } from '../sql/layout.js';
import {
  overviewMatches,
  type TraceOverview,
  type TraceSearchHit,
  type TraceSearchPage,
  type TraceSearchQuery,
} from '../trace-overview.js';
import { ETYPE_EXPR, SERVICE_EXPR, toOverview } from './overview.js';

type Db = BetterSqlite3.Database;

/** Rows read per step of the walk at first; doubled each step. */
const FIRST_STEP = 1024;
const MAX_LIMIT = 1000;

function overviewOf(db: Db, ids: readonly string[]): Map<string, TraceOverview> {
  const out = new Map<string, TraceOverview>();
  // why: one aggregate per chunk of ids, each read through the base_id index.
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = db
      .prepare<string[], Record<string, unknown>>(
        `SELECT base_id, MIN(timestamp) AS started, MAX(timestamp) AS finished, COUNT(*) AS notifications,
          COUNT(DISTINCT trace_id) AS spans, json_group_array(DISTINCT ${SERVICE_EXPR}) AS services,
          MAX(${ETYPE_EXPR}) AS error
        FROM data WHERE base_id IN (${chunk.map(() => '?').join(', ')}) GROUP BY base_id`,
      )
      .all(...chunk);
    for (const row of rows) out.set(String(row.base_id), toOverview(row));
  }
  return out;
}

/** True when every word occurs in one of the trace's rows (case-insensitive, on the stored text). */
function hasWords(db: Db, baseId: string, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const where = words.map(() => 'instr(lower(data), ?) > 0').join(' OR ');
  const rows = db
    .prepare<unknown[], { data: unknown }>(`SELECT data FROM data WHERE base_id = ? AND (${where})`)
    .all(baseId, ...words);
  const text = rows.map((r) => String(r.data ?? '').toLowerCase()).join('\n');
  return words.every((w) => text.includes(w));
}

/** The operation of the trace's earliest start notification (see report/span-label.ts). */
function rootOperation(db: Db, baseId: string): string | null {
  const row = db
    .prepare<[string], { name: unknown; data: unknown }>(
      "SELECT name, data FROM data WHERE base_id = ? AND substr(name, -5) = 'start' ORDER BY timestamp, id LIMIT 1",
    )
    .get(baseId);
  if (row === undefined) return null;
  const payload = decodeDataColumn(row.data);
  const name = typeof row.name === 'string' ? row.name.replace(/-start$/, '') : '?';
  return spanOperation({ name, 'meta.raw_payload.start': payload });
}

function before(t: TraceOverview, cursor: { timestamp: string; base_id: string } | undefined): boolean {
  if (cursor === undefined) return true;
  return t.timestamp < cursor.timestamp || (t.timestamp === cursor.timestamp && t.base_id < cursor.base_id);
}

/**
 * One page of traces, newest start first. why: ordering 100k traces by start with GROUP BY reads
 * every row (about a second); instead the rows are walked newest first through the timestamp
 * index from the page's top. After reading rows down to timestamp T, every trace that started
 * after T has shown at least its first row, so the candidates that started after T are complete
 * and exact; the walk reads twice as many rows each step until enough of them match, or the
 * whole store (or the `from` bound) is covered.
 */
export function searchSqliteTraces(db: Db, query: TraceSearchQuery): TraceSearchPage {
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'ix_data_timestamp'").get() === undefined)
    return searchByGroups(db, query);
  const limit = Math.max(1, Math.min(MAX_LIMIT, Math.floor(query.limit ?? 50)));
  const cursor = query.before;
  const top = [cursor?.timestamp, query.to && query.to !== '' ? `${query.to}\uffff` : undefined]
    .filter((t): t is string => t !== undefined)
    .sort()[0];
  const words = (query.operation ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  const seen = new Set<string>();
  const checked = new Map<string, TraceSearchHit | null>();
  let step = FIRST_STEP;
  let offset = 0;
  const walk = db.prepare<unknown[], { base_id: unknown; timestamp: unknown }>(
    `SELECT base_id, timestamp FROM data INDEXED BY ix_data_timestamp
      WHERE timestamp IS NOT NULL AND base_id IS NOT NULL ${top !== undefined ? 'AND timestamp <= ?' : ''}
      ORDER BY timestamp DESC LIMIT ? OFFSET ?`,
  );
  for (;;) {
    const rows = walk.all(...(top !== undefined ? [top] : []), step, offset);
    offset += rows.length;
    const exhausted = rows.length < step;
    const floor = exhausted ? '' : String(rows[rows.length - 1]!.timestamp);
    const fresh: string[] = [];
    for (const r of rows) {
      const id = String(r.base_id);
      if (!seen.has(id)) {
        seen.add(id);
        fresh.push(id);
      }
    }
    const overviews = overviewOf(db, fresh);
    for (const id of fresh) {
      const o = overviews.get(id);
      const ok = o !== undefined && before(o, cursor) && overviewMatches(o, query) && hasWords(db, id, words);
      checked.set(id, ok ? { ...o, operation: null } : null);
    }
    // Complete: traces that started after `floor` (all of them once the walk is exhausted).
    const complete = [...checked.values()]
      .filter((t): t is TraceSearchHit => t !== null && t.timestamp > floor)
      .sort((a, b) =>
        a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : a.base_id < b.base_id ? 1 : -1,
      );
    const belowFrom = query.from !== undefined && query.from !== '' && floor !== '' && floor < query.from;
    if (complete.length > limit || exhausted || belowFrom) {
      const traces = complete.slice(0, limit);
      for (const t of traces) t.operation = rootOperation(db, t.base_id);
      return { traces, more: complete.length > limit };
    }
    step *= 2;
  }
}

/**
 * The same page from one GROUP BY over the whole table, for a store file without the timestamp
 * index (opened read-only before the index existed): exact, slower on big stores.
 */
function searchByGroups(db: Db, query: TraceSearchQuery): TraceSearchPage {
  const limit = Math.max(1, Math.min(MAX_LIMIT, Math.floor(query.limit ?? 50)));
  const words = (query.operation ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  const ids = db
    .prepare<[], { base_id: unknown; started: unknown }>(
      'SELECT base_id, MIN(timestamp) AS started FROM data WHERE base_id IS NOT NULL GROUP BY base_id ORDER BY started DESC, base_id DESC',
    )
    .all()
    .filter((r) => before({ timestamp: String(r.started), base_id: String(r.base_id) } as TraceOverview, query.before))
    .map((r) => String(r.base_id));
  const traces: TraceSearchHit[] = [];
  for (let i = 0; i < ids.length && traces.length <= limit; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const overviews = overviewOf(db, chunk);
    for (const id of chunk) {
      const o = overviews.get(id);
      if (o !== undefined && overviewMatches(o, query) && hasWords(db, id, words))
        traces.push({ ...o, operation: null });
      if (traces.length > limit) break;
    }
  }
  const page = traces.slice(0, limit);
  for (const t of page) t.operation = rootOperation(db, t.base_id);
  return { traces: page, more: traces.length > limit };
}
