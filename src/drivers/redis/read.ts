// Python's Redis key layout and the read path: reports from osprofiler_opt lists and legacy keys, SCAN-based listings.
import { ReportBuilder } from '../../report/build.js';
import type { Report, StoredNotification, TraceSummary } from '../../report/types.js';
import { earlier } from '../records.js';
import type { RedisClientLike } from './client.js';

/** List of a trace's notifications, newest first (Python ≥ 2.8). */
export const REDIS_LIST_PREFIX = 'osprofiler_opt:';
/** Legacy layout (Python < 2.8): one key `osprofiler:<base_id>_<trace_id>_<timestamp>` per notification. */
export const REDIS_LEGACY_PREFIX = 'osprofiler:';
/** `{base_id, timestamp}` of a trace with an error, written when filterErrorTrace is on. */
export const REDIS_ERROR_PREFIX = 'osprofiler_error:';

const SCAN_COUNT = 1000;
const MGET_CHUNK = 1000;
const LIST_PAGE = 10_000;
// why: listTraces reads only the oldest records of each list (its tail): a trace's start is
// written first in practice, and reading whole lists would make listing cost O(all spans).
const LIST_TAIL_WINDOW = 32;

/**
 * The read side of the Redis driver, on a connected client. Stored records that are not JSON
 * objects are skipped and counted in `stats.skipped` (the driver's own counters).
 */
export class RedisReader {
  readonly #stats: { skipped: number };

  constructor(stats: { skipped: number }) {
    this.#stats = stats;
  }

  /** The report of one trace: legacy keys (oldest first), then the list in LRANGE order (newest first), as Python feeds them. */
  async report(client: RedisClientLike, baseId: string): Promise<Report> {
    const id = String(baseId);
    const [legacy, pages] = await Promise.all([
      this.#legacyRecords(client, `${REDIS_LEGACY_PREFIX}${escapeGlob(id)}_*`),
      this.#listPages(client, REDIS_LIST_PREFIX + id),
    ]);
    const builder = new ReportBuilder();
    for (const record of legacy) builder.add(record);
    // pages were read from the tail; fed head first, each in LRANGE order: newest first overall
    for (let i = pages.length - 1; i >= 0; i--) for (const record of pages[i]!) builder.add(record);
    return builder.build();
  }

  /**
   * One entry per trace, by its earliest record (Python 3.4.3 takes the second newest and fails
   * on one-record lists): the earliest of the oldest 32 records of each list, and of the legacy
   * keys (whose names carry the timestamp). SCAN in batches, never KEYS. Oldest trace first.
   */
  async traces(client: RedisClientLike, fields: readonly string[]): Promise<TraceSummary[]> {
    const best = new Map<string, Candidate>();
    for await (const keys of scanKeys(client, `${REDIS_LIST_PREFIX}*`)) {
      const pipeline = client.pipeline();
      for (const key of keys) pipeline.lrange(key, -LIST_TAIL_WINDOW, -1);
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([error, texts], i) => {
        // why: a key that vanished or is not a list (someone else's data) is skipped, not fatal.
        if (error || !Array.isArray(texts)) return;
        const id = keys[i]!.slice(REDIS_LIST_PREFIX.length);
        for (const text of texts) {
          const record = this.#parse(String(text));
          if (record !== undefined) offer(best, id, { timestamp: record.timestamp, record });
        }
      });
    }
    const unnamed: string[] = [];
    for await (const keys of scanKeys(client, `${REDIS_LEGACY_PREFIX}*`)) {
      for (const key of keys) {
        const parsed = parseLegacyKey(key);
        if (parsed === undefined) unnamed.push(key);
        else offer(best, parsed.baseId, { timestamp: parsed.timestamp, legacyKey: key });
      }
    }
    for (const record of await this.#getJson(client, unnamed))
      offer(best, String(record.base_id), { timestamp: record.timestamp, record });
    if (fields.some((f) => f !== 'base_id' && f !== 'timestamp')) await this.#fillLegacy(client, best);
    return [...best.entries()].sort(byTimestamp).map(([id, c]) => project(id, c, fields));
  }

  /** The `osprofiler_error:*` markers, oldest first, one per trace (written only with filterErrorTrace). */
  async errorTraces(client: RedisClientLike): Promise<TraceSummary[]> {
    const best = new Map<string, Candidate>();
    for await (const keys of scanKeys(client, `${REDIS_ERROR_PREFIX}*`)) {
      for (const record of await this.#getJson(client, keys)) {
        offer(best, String(record.base_id ?? ''), { timestamp: record.timestamp, record });
      }
    }
    return [...best.entries()].sort(byTimestamp).map(([, c]) => ({ ...c.record }) as TraceSummary);
  }

  #parse(text: string | null | undefined): StoredNotification | undefined {
    if (text === null || text === undefined) return undefined;
    try {
      const value: unknown = JSON.parse(text);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as StoredNotification;
    } catch {
      // counted below
    }
    this.#stats.skipped++;
    return undefined;
  }

  /**
   * A whole list in pages of 10,000 read from the tail (negative indexes do not move when
   * writers LPUSH meanwhile), the next page requested before the current one is parsed.
   */
  async #listPages(client: RedisClientLike, key: string): Promise<StoredNotification[][]> {
    const pages: StoredNotification[][] = [];
    let end = -1;
    let next = client.lrange(key, end - LIST_PAGE + 1, end);
    for (;;) {
      const texts = await next;
      end -= LIST_PAGE;
      if (texts.length === LIST_PAGE) next = client.lrange(key, end - LIST_PAGE + 1, end);
      const page: StoredNotification[] = [];
      for (const text of texts) {
        const record = this.#parse(text);
        if (record !== undefined) page.push(record);
      }
      pages.push(page);
      if (texts.length < LIST_PAGE) return pages;
    }
  }

  /** GETs keys in MGET chunks; vanished keys and non-JSON values are left out. */
  async #getJson(client: RedisClientLike, keys: readonly string[]): Promise<StoredNotification[]> {
    const out: StoredNotification[] = [];
    for (let i = 0; i < keys.length; i += MGET_CHUNK) {
      for (const text of await client.mget(...keys.slice(i, i + MGET_CHUNK))) {
        const record = this.#parse(text);
        if (record !== undefined) out.push(record);
      }
    }
    return out;
  }

  async #legacyRecords(client: RedisClientLike, pattern: string): Promise<StoredNotification[]> {
    const keys = new Set<string>();
    for await (const batch of scanKeys(client, pattern)) for (const key of batch) keys.add(key);
    const records = await this.#getJson(client, [...keys]);
    // why: Python reads them in SCAN order, which is random; timestamp order is stable and natural.
    return records.sort((a, b) => (earlier(a.timestamp, b.timestamp) ? -1 : earlier(b.timestamp, a.timestamp) ? 1 : 0));
  }

  async #fillLegacy(client: RedisClientLike, best: Map<string, Candidate>): Promise<void> {
    const pending = [...best.values()].filter((c) => c.record === undefined && c.legacyKey !== undefined);
    for (let i = 0; i < pending.length; i += MGET_CHUNK) {
      const chunk = pending.slice(i, i + MGET_CHUNK);
      const texts = await client.mget(...chunk.map((c) => c.legacyKey!));
      texts.forEach((text, j) => {
        if (text !== null) chunk[j]!.record = this.#parse(text);
      });
    }
  }
}

interface Candidate {
  timestamp: string;
  record?: StoredNotification | undefined;
  legacyKey?: string;
}

function offer(best: Map<string, Candidate>, id: string, candidate: Candidate): void {
  if (typeof candidate.timestamp !== 'string') return;
  const current = best.get(id);
  if (current === undefined || earlier(candidate.timestamp, current.timestamp)) best.set(id, candidate);
}

function byTimestamp([aId, a]: [string, Candidate], [bId, b]: [string, Candidate]): number {
  if (earlier(a.timestamp, b.timestamp)) return -1;
  if (earlier(b.timestamp, a.timestamp)) return 1;
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}

function project(id: string, candidate: Candidate, fields: readonly string[]): TraceSummary {
  const out: Record<string, unknown> = {};
  const record = candidate.record as Record<string, unknown> | undefined;
  for (const field of fields) {
    if (field === 'base_id') out.base_id = id;
    else if (field === 'timestamp') out.timestamp = candidate.timestamp;
    else if (record !== undefined && Object.hasOwn(record, field)) out[field] = record[field];
  }
  out.base_id ??= id;
  return out as TraceSummary;
}

/** Splits a legacy key `osprofiler:<base_id>_<trace_id>_<timestamp>`; undefined when it is not one. */
export function parseLegacyKey(key: string): { baseId: string; traceId: string; timestamp: string } | undefined {
  if (!key.startsWith(REDIS_LEGACY_PREFIX)) return undefined;
  const rest = key.slice(REDIS_LEGACY_PREFIX.length);
  const first = rest.indexOf('_');
  const last = rest.lastIndexOf('_');
  if (first <= 0 || last <= first) return undefined;
  const timestamp = rest.slice(last + 1);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/.test(timestamp)) return undefined;
  return { baseId: rest.slice(0, first), traceId: rest.slice(first + 1, last), timestamp };
}

/** SCAN with MATCH in batches of about 1000 keys (never KEYS, which blocks the server). */
async function* scanKeys(client: RedisClientLike, pattern: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
    cursor = String(next);
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
