// Trace search in the SQLite store and the ui list page: pages cover every trace once, each filter, the scatter plot.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { renderListPage, renderScatter } from '../../../src/browser/pages.js';
import type { Notification } from '../../../src/core/payload.js';
import { createSqliteDriver, type SqliteDriver } from '../../../src/drivers/sqlite/driver.js';
import { loadSqlite } from '../../../src/drivers/sqlite/library.js';
import type { TraceSearchQuery } from '../../../src/drivers/trace-overview.js';
import { SERVERS_TRACE_START_MS, serversTrace } from '../../helpers/servers-trace.js';

const Database = loadSqlite();

const dir = mkdtempSync(join(tmpdir(), 'osp-search-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const id = (i: number): string => `c0ffee00-0000-4000-8000-${String(i).padStart(12, '0')}`;
const COUNT = 130;

/** 130 traces, one every 10 s; the SELECT takes 20–219 ms; every 3rd is glance-api's and has no error. */
function traces(): Notification[] {
  const out: Notification[] = [];
  for (let i = 0; i < COUNT; i++) {
    let records = serversTrace(id(i), 20 + ((i * 37) % 200), i * 10_000);
    if (i % 3 === 0) {
      records = records
        .map((n) => ({ ...n, service: 'glance-api', info: { ...n.info, etype: undefined, message: undefined } }))
        .map((n) => JSON.parse(JSON.stringify(n)) as Notification);
    }
    // why: written newest first, so store order is not start order (the walk must not rely on it)
    out.unshift(...records);
  }
  return out;
}

async function store(path: string): Promise<SqliteDriver> {
  const driver = createSqliteDriver(`sqlite:///${path}`, { project: 'nova', service: 'api', writer: 'inline' });
  await driver.notifyBatch(traces().map((n) => (n.service ? { ...n, project: null } : n)) as Notification[]);
  return driver;
}

async function allPages(driver: SqliteDriver, query: TraceSearchQuery): Promise<string[][]> {
  const pages: string[][] = [];
  let before: TraceSearchQuery['before'];
  for (;;) {
    const page = await driver.searchTraces({ ...query, ...(before ? { before } : {}) });
    pages.push(page.traces.map((t) => t.base_id));
    const last = page.traces[page.traces.length - 1];
    if (!page.more || last === undefined) return pages;
    before = { timestamp: last.timestamp, base_id: last.base_id };
  }
}

describe('trace search (SQLite store)', () => {
  let driver: SqliteDriver;
  before(async () => {
    driver = await store(join(dir, 'traces.db'));
  });
  after(() => driver.close());

  it('lists the newest 50, then the next pages, each trace exactly once, newest first', async () => {
    const pages = await allPages(driver, { limit: 50 });
    assert.deepEqual(
      pages.map((p) => p.length),
      [50, 50, 30],
    );
    assert.deepEqual(
      pages.flat(),
      Array.from({ length: COUNT }, (_, i) => id(COUNT - 1 - i)),
    );
    const first = await driver.searchTraces({ limit: 1 });
    assert.equal(first.traces[0].operation, 'GET /servers');
    assert.deepEqual(first.traces[0].services, ['glance-api']);
  });

  it('filters by service, operation words, duration, start time and errors', async () => {
    const ids = async (q: TraceSearchQuery): Promise<string[]> => (await allPages(driver, { limit: 20, ...q })).flat();
    const glance = await ids({ service: 'glance-api' });
    assert.equal(glance.length, 44);
    assert.ok(glance.every((b) => Number(b.slice(-12)) % 3 === 0));
    assert.equal((await ids({ errorsOnly: true })).length, COUNT - 44);
    assert.equal((await ids({ operation: 'instances SELECT' })).length, COUNT);
    assert.deepEqual(await ids({ operation: 'no-such-table' }), []);
    const slow = await ids({ minDurationMs: 250 });
    const overviews = (await driver.listTraceOverviews()).filter((o) => (o.durationMs ?? 0) >= 250);
    assert.deepEqual(new Set(slow), new Set(overviews.map((o) => o.base_id)));
    assert.ok(slow.length > 0 && slow.length < COUNT);
    const bounded = await ids({ minDurationMs: 150, maxDurationMs: 200 });
    for (const o of await driver.listTraceOverviews())
      assert.equal(bounded.includes(o.base_id), (o.durationMs ?? 0) >= 150 && (o.durationMs ?? 0) <= 200);
    const at = (i: number): string => new Date(SERVERS_TRACE_START_MS + i * 10_000).toISOString().slice(0, 19);
    assert.deepEqual(await ids({ from: at(10), to: at(12) }), [id(12), id(11), id(10)]);
    assert.deepEqual(await ids({ to: at(1) }), [id(1), id(0)]);
  });

  it('gives the same pages from a store file made before the timestamp index', async () => {
    const path = join(dir, 'old.db');
    const old = await store(path);
    await old.close();
    const db = new Database(path);
    db.exec('DROP INDEX ix_data_timestamp');
    db.close();
    const reader = createSqliteDriver(`sqlite:///${path}`, { readonly: true });
    try {
      assert.deepEqual(await allPages(reader, { limit: 50 }), await allPages(driver, { limit: 50 }));
      assert.deepEqual(
        (await allPages(reader, { limit: 50, service: 'glance-api', minDurationMs: 100 })).flat(),
        (await allPages(driver, { limit: 50, service: 'glance-api', minDurationMs: 100 })).flat(),
      );
    } finally {
      await reader.close();
    }
  });
});

describe('list page', () => {
  const trace = {
    base_id: id(1),
    timestamp: '2026-12-04T14:30:05.000000',
    finished: '2026-12-04T14:30:05.120000',
    durationMs: 120,
    services: ['<img src=x onerror=alert(1)>'],
    spans: 5,
    notifications: 10,
    error: 'OperationalError',
    operation: 'GET /<script>alert(2)</script>',
  };
  const form = { q: '', service: '', op: '"><script>', min: '', max: '', from: '', to: '', errors: false };

  it('draws one linked dot per listed trace, red when it failed', () => {
    const svg = renderScatter([
      trace,
      { ...trace, base_id: id(2), timestamp: '2026-12-04T14:31:05.000000', error: null },
    ]);
    assert.equal(svg.match(/<a href="\/traces\/[^"]+"><circle/g)?.length, 2);
    assert.equal(svg.match(/class="dot bad"/g)?.length, 1);
    assert.equal(renderScatter([{ base_id: id(3), timestamp: 'x' }]), '', 'nothing to plot without durations');
  });

  it('escapes trace data and form values, and links the next page with the filters kept', () => {
    const html = renderListPage({ store: 's', traces: [trace], total: undefined, form, limit: 1, truncated: true });
    assert.ok(!/<script>alert|<img src=x/.test(html));
    assert.match(html, /GET \/&lt;script&gt;alert\(2\)&lt;\/script&gt;/);
    assert.match(html, /value="&quot;&gt;&lt;script&gt;"/);
    assert.match(html, /<a id="older" href="\/\?op=%22%3E%3Cscript%3E&amp;before=2026-12-04T14%3A30%3A05\.000000%7E/);
  });
});
