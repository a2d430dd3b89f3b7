// Issue 15 bench: how long a cheap `osprofiler ui` request waits while 50 concurrent list requests (each a full GROUP BY over 10k traces) are served; baseline: the same request on the idle server, and one list query alone.
// Run: node --import tsx bench/ui-responsive.ts   (OSP_BENCH_RUNS=3 rounds, median kept)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUiListener, LOOPBACK_HOSTS } from '../src/browser/server.js';
import { createSqliteDriver } from '../src/drivers/sqlite/driver.js';
import type { Notification } from '../src/core/payload.js';
import { row } from './harness.js';

const TRACES = 10_000;
const CONCURRENT = 50;
const RUNS = Number(process.env.OSP_BENCH_RUNS ?? 3);
const traceId = (t: number): string => `99999999-0000-4000-8000-${String(t).padStart(12, '0')}`;

/** The server side, run in its own process so the load generator does not share its event loop. */
async function serve(path: string): Promise<void> {
  const driver = createSqliteDriver(`sqlite:///${path}`, { readonly: true });
  const server = createServer(
    createUiListener({
      store: { description: 'bench store', reader: async () => driver },
      allowedHosts: LOOPBACK_HOSTS,
    }),
  );
  let peakRss = 0;
  setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20).unref();
  process.on('message', () => process.send!({ peakRss }));
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
}

async function makeStore(path: string): Promise<void> {
  const driver = createSqliteDriver(`sqlite:///${path}`, { writer: 'inline', project: 'p', service: 's' });
  const rows: Notification[] = [];
  for (let t = 0; t < TRACES; t++) {
    const base = traceId(t);
    const ts = `2024-01-01T0${Math.floor(t / 3600)}:${String(Math.floor(t / 60) % 60).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}.000000`;
    for (let s = 0; s < 2; s++) {
      const id = `99999999-${String(s).padStart(4, '0')}-4000-8000-${String(t).padStart(12, '0')}`;
      rows.push({
        name: 'wsgi-start',
        base_id: base,
        trace_id: id,
        parent_id: base,
        timestamp: ts,
        info: { host: 'h' },
      });
      rows.push({
        name: 'wsgi-stop',
        base_id: base,
        trace_id: id,
        parent_id: base,
        timestamp: ts,
        info: { host: 'h' },
      });
    }
  }
  await driver.notifyBatch(rows);
  await driver.close();
}

function get(port: number, path: string, agent: Agent): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - t0));
    })
      .on('error', reject)
      .end();
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'osp-bench-ui-'));
  const path = join(dir, 'traces.db');
  let child: ChildProcess | undefined;
  try {
    await makeStore(path);
    child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'serve', path], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve) =>
      child!.once('message', (m: { port: number }) => resolve(m.port)),
    );
    const agent = new Agent({ maxSockets: Infinity });
    let round = 0;
    const idle: number[] = [];
    const oneList: number[] = [];
    const distinct: number[] = [];
    const distinctAll: number[] = [];
    const identical: number[] = [];
    for (let r = 0; r <= RUNS; r++) {
      // why: every round uses limits no earlier round used, so nothing comes from the cache.
      const limit = (): number => 1000 + round++;
      idle.push(await get(port, `/api/traces/${traceId(7)}`, agent));
      oneList.push(await get(port, `/api/traces?limit=${limit()}`, agent));
      const t0 = performance.now();
      const lists = Array.from({ length: CONCURRENT }, () => get(port, `/api/traces?limit=${limit()}`, agent));
      distinct.push(await get(port, `/api/traces/${traceId(7)}`, agent));
      await Promise.all(lists);
      distinctAll.push(performance.now() - t0);
      const same = limit();
      const shared = Array.from({ length: CONCURRENT }, () => get(port, `/api/traces?limit=${same}`, agent));
      identical.push(await get(port, `/api/traces/${traceId(7)}`, agent));
      await Promise.all(shared);
      if (r === 0) for (const list of [idle, oneList, distinct, distinctAll, identical]) list.length = 0; // warm-up
    }
    child.send('stats');
    const { peakRss } = await new Promise<{ peakRss: number }>((resolve) =>
      child!.once('message', (m: { peakRss: number }) => resolve(m)),
    );
    agent.destroy();
    const ms = (v: number): string => `${v.toFixed(1)} ms`;
    console.log(
      `osprofiler ui, ${TRACES} traces (${4 * TRACES} rows), ${CONCURRENT} concurrent list requests, median of ${RUNS}`,
    );
    row('cheap request (one small trace as JSON), idle server', ms(median(idle)), 'baseline');
    row('one list request alone (GROUP BY over the store)', ms(median(oneList)), '');
    row(
      `cheap request during ${CONCURRENT} different list requests`,
      ms(median(distinct)),
      `${(median(distinct) / median(oneList)).toFixed(2)}x one list query`,
    );
    row(
      `  all ${CONCURRENT} different list requests done`,
      ms(median(distinctAll)),
      `${(median(distinctAll) / median(oneList)).toFixed(1)}x one list query`,
    );
    row(
      `cheap request during ${CONCURRENT} identical list requests`,
      ms(median(identical)),
      `${(median(identical) / median(oneList)).toFixed(2)}x one list query`,
    );
    row('server peak RSS', `${(peakRss / 1048576).toFixed(0)} MB`, '');
  } finally {
    child?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3]!);
else await main();
