// Issue 14 bench: `osprofiler ui` lists the newest 50 of 100k traces in the SQLite store; raw SELECT baselines run in the same process.
// Run: node --import tsx bench/ui-list.ts   (OSP_BENCH_TRACES=100000 traces, OSP_BENCH_RUNS=7 timed runs, median kept)
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUiListener, LOOPBACK_HOSTS } from '../src/browser/server.js';
import type { Notification } from '../src/core/payload.js';
import { createSqliteDriver } from '../src/drivers/sqlite/driver.js';
import { loadSqlite } from '../src/drivers/sqlite/library.js';
import { row } from './harness.js';

const Database = loadSqlite();

const TRACES = Number(process.env.OSP_BENCH_TRACES ?? 100_000);
const RUNS = Number(process.env.OSP_BENCH_RUNS ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'osp-bench-ui-'));
const path = join(dir, 'traces.db');
const START = Date.UTC(2026, 0, 1);

/** Median wall ms of `fn` over RUNS runs after one warm-up. */
async function median(fn: () => unknown): Promise<number> {
  await fn();
  const walls: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await fn();
    walls.push(performance.now() - t0);
  }
  walls.sort((a, b) => a - b);
  return walls[Math.floor(walls.length / 2)]!;
}

/** One trace: wsgi → rpc → two db calls (8 notifications), one per second; every 10th fails. */
function trace(k: number): Notification[] {
  const base = `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`;
  const at = (ms: number): string => new Date(START + k * 1000 + ms).toISOString().replace('Z', '000');
  const out: Notification[] = [];
  const names = ['wsgi', 'rpc', 'db', 'db'];
  const infos = [
    { request: { method: 'GET', path: '/servers', query: '', scheme: 'http' } },
    { function: { name: 'compute.Manager.list' } },
    { db: { statement: 'SELECT * FROM instances WHERE project_id = ?' } },
    { db: { statement: 'SELECT * FROM flavors' } },
  ];
  for (let s = 0; s < 4; s++) {
    const traceId = `11111111-0000-4000-8000-${String(k * 4 + s).padStart(12, '0')}`;
    const common = { base_id: base, trace_id: traceId, parent_id: s === 0 ? base : base };
    out.push({ name: `${names[s]}-start`, ...common, timestamp: at(s), info: { host: 'h', ...infos[s] } });
    const stop = k % 10 === 0 && s === 3 ? { etype: 'OperationalError', message: 'x' } : {};
    out.push({ name: `${names[s]}-stop`, ...common, timestamp: at(s + 5 + (k % 300)), info: { host: 'h', ...stop } });
  }
  return out;
}

function get(server: Server, url: string): Promise<number> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: url }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => resolve(n));
    })
      .on('error', reject)
      .end();
  });
}

async function main(): Promise<void> {
  const writer = createSqliteDriver(`sqlite:///${path}`, { project: 'nova', service: 'api', writer: 'inline' });
  const t0 = performance.now();
  for (let k = 0; k < TRACES; k += 1000) {
    const batch: Notification[] = [];
    for (let j = k; j < Math.min(TRACES, k + 1000); j++) batch.push(...trace(j));
    await writer.notifyBatch(batch);
  }
  await writer.close();
  console.log(
    `store: ${TRACES} traces, ${TRACES * 8} rows, built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  const driver = createSqliteDriver(`sqlite:///${path}`, { readonly: true });
  const raw = new Database(path, { readonly: true });
  const server = createServer(
    createUiListener({ store: { description: 'bench', reader: async () => driver }, allowedHosts: LOOPBACK_HOSTS }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const rawRows = raw.prepare('SELECT base_id, timestamp FROM data ORDER BY id DESC LIMIT 400');
    const rawGroup = raw.prepare(
      'SELECT base_id, MIN(timestamp) AS started FROM data WHERE base_id IS NOT NULL GROUP BY base_id ORDER BY started DESC LIMIT 50',
    );
    const baseline = await median(() => rawRows.all());
    const grouped = await median(() => rawGroup.all());
    const search = await median(() => driver.searchTraces({ limit: 50 }));
    const page = await median(() => get(server, '/'));
    const first = await driver.searchTraces({ limit: 50 });
    const last = first.traces[first.traces.length - 1]!;
    const next = await median(() =>
      driver.searchTraces({ limit: 50, before: { timestamp: last.timestamp, base_id: last.base_id } }),
    );
    const filtered = await median(() => driver.searchTraces({ limit: 50, errorsOnly: true, minDurationMs: 200 }));
    const previous = await median(() => driver.listTraceOverviews({ limit: 51 }));
    const x = (v: number): string => `${(v / baseline).toFixed(1)}x the raw 400-row SELECT`;
    row('raw SELECT of the newest 400 rows (baseline)', `${baseline.toFixed(1)} ms`);
    row('raw SELECT newest 50 traces by GROUP BY', `${grouped.toFixed(1)} ms`, x(grouped));
    row(
      'searchTraces: newest 50 (first page)',
      `${search.toFixed(1)} ms`,
      `${x(search)}; ${(grouped / search).toFixed(1)}x faster than GROUP BY`,
    );
    row('GET / (search + HTML page with scatter plot)', `${page.toFixed(1)} ms`, `${x(page)}; target < 300 ms`);
    row('searchTraces: second page (cursor)', `${next.toFixed(1)} ms`, x(next));
    row('searchTraces: errors only, >= 200 ms', `${filtered.toFixed(1)} ms`, x(filtered));
    row('before: listTraceOverviews({limit: 51}) (old list)', `${previous.toFixed(1)} ms`, x(previous));
  } finally {
    server.close();
    raw.close();
    await driver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
