// Issue 15 measure: what SIGKILL loses. A traced node:http service writing to SQLite (default writer thread) is killed mid-load; rows stored vs rows of the requests it answered.
// Run: npm run build && node --import tsx bench/sigkill-loss.ts   (OSP_BENCH_RUNS=3 kills, OSP_LOAD_MS=3000 of load before each)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSqlite } from '../src/drivers/sqlite/library.js';
import { signedPack } from '../src/propagation/signing.js';
import { row } from './harness.js';

const Database = loadSqlite();

const RUNS = Number(process.env.OSP_BENCH_RUNS ?? 3);
const LOAD_MS = Number(process.env.OSP_LOAD_MS ?? 3000);
const CONCURRENCY = 8;
const KEY = 'bench-key';
// why: the service runs the built package, as a deployed one does (npm run build first).
const indexUrl = new URL('../dist/src/index.js', import.meta.url).href;
const webUrl = new URL('../dist/src/web.js', import.meta.url).href;

const serviceCode = (path: string): string => `
import { createServer } from 'node:http';
import { createNotifier, setNotifier } from ${JSON.stringify(indexUrl)};
import { wrapListener } from ${JSON.stringify(webUrl)};

setNotifier(createNotifier(${JSON.stringify(`sqlite:///${path}`)}));
const server = createServer(wrapListener((req, res) => res.end('ok'), { hmacKeys: [${JSON.stringify(KEY)}] }));
server.listen(0, '127.0.0.1', () => console.log('port', server.address().port));
`;

async function once(dir: string, run: number): Promise<{ answered: number; rows: number; perSecond: number }> {
  const path = join(dir, `killed-${run}.db`);
  const child = spawn(process.execPath, ['--input-type=module', '-e', serviceCode(path)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve) =>
    child.stdout!.on('data', (c: Buffer) => {
      const m = /port (\d+)/.exec(c.toString());
      if (m) resolve(Number(m[1]));
    }),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let answered = 0;
  let stop = false;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (!stop) {
      const [info, hmac] = signedPack({ base_id: crypto.randomUUID(), parent_id: crypto.randomUUID() }, KEY);
      const ok = await new Promise<boolean>((resolve) => {
        request(
          { host: '127.0.0.1', port, path: '/', agent, headers: { 'X-Trace-Info': info, 'X-Trace-HMAC': hmac! } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(true));
          },
        )
          .on('error', () => resolve(false))
          .end();
      });
      // why: counted only while the service is alive; a response cut by the kill is not "answered".
      if (ok && !stop) answered++;
    }
  };
  const workers = Array.from({ length: CONCURRENCY }, worker);
  await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
  stop = true;
  child.kill('SIGKILL');
  const elapsed = (performance.now() - t0) / 1000;
  await Promise.all(workers);
  await new Promise((resolve) => child.once('exit', resolve));
  agent.destroy();
  const db = new Database(path, { readonly: true });
  const rows = (db.prepare('SELECT COUNT(*) AS n FROM data').get() as { n: number }).n;
  const check = db.pragma('quick_check', { simple: true });
  db.close();
  if (check !== 'ok') throw new Error(`the killed store is damaged: ${String(check)}`);
  return { answered, rows, perSecond: (2 * answered) / elapsed };
}

const dir = mkdtempSync(join(tmpdir(), 'osp-bench-kill-'));
try {
  console.log(
    `SIGKILL of a traced service under load (${CONCURRENCY} concurrent requests, ${LOAD_MS} ms), SQLite store, ${RUNS} runs`,
  );
  for (let r = 0; r < RUNS; r++) {
    const { answered, rows, perSecond } = await once(dir, r);
    const lost = 2 * answered - rows;
    row(
      `run ${r + 1}: rows of answered requests / stored`,
      `${2 * answered} / ${rows}`,
      `lost ${lost} (${((100 * lost) / (2 * answered)).toFixed(2)} %, ~${((1000 * lost) / perSecond).toFixed(0)} ms of notifications at ${perSecond.toFixed(0)}/s); file intact`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
