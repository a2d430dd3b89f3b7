// Runs a store outage under load: a traced service (child process) takes steady signed requests while the store stops and returns.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { signedPack } from '../../src/propagation/signing.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A store the test can stop and start (a child server on a spare port, or a proxy in front of one). */
export interface StoppableStore {
  /** The connection string the service writes to. */
  url: string;
  /** Extra notifier/driver options for the service. */
  options?: Record<string, unknown>;
  stop(): Promise<void>;
  /** Resolves once the store accepts connections again. */
  start(): Promise<void>;
  /** How many notifications the store holds now (written by this test's service). */
  stored(): Promise<number>;
}

/** The service's /stats answer. */
export interface ServiceStats {
  handled: number;
  rss: number;
  peakRss: number;
  queued: number;
  written: number;
  dropped: number;
  failed: number;
}

/** What one outage run measured. */
export interface OutageFigures {
  requests: number;
  failedRequests: number;
  /** Stats when the store stopped, when it came back, and at the end (queue drained). */
  atStop: ServiceStats;
  atReturn: ServiceStats;
  final: ServiceStats;
  /** RSS before the outage and the peak during it (bytes). */
  rssBefore: number;
  peakRssDuringOutage: number;
  /** From the store's return to the first notification written after it (ms); undefined if never. */
  resumeMs: number | undefined;
  stored: number;
  /** What the service printed on stderr. */
  stderr: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function get(port: number, path: string, headers: Record<string, string>, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

async function stats(port: number): Promise<ServiceStats> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/stats', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(JSON.parse(body) as ServiceStats));
      })
      .on('error', reject);
  });
}

function startService(store: StoppableStore): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/outage-service.ts'], {
    cwd: root,
    env: { ...process.env, OSP_URL: store.url, OSP_OPTIONS: JSON.stringify(store.options ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the service exited (${code}): ${stderr}`)));
    child.stdout!.once('data', (chunk: Buffer) => {
      resolve({ child, port: (JSON.parse(String(chunk)) as { port: number }).port, stderr: () => stderr });
    });
  });
}

/**
 * Steady load (one signed request every `intervalMs`, each a fresh trace) for `warmupMs`, then
 * the store stops for `outageMs` under the same load, comes back, and the run waits until the
 * service has written again and drained its queue.
 */
export async function runOutage(
  store: StoppableStore,
  { warmupMs = 2000, outageMs = 10_000, intervalMs = 5 } = {},
): Promise<OutageFigures> {
  const service = await startService(store);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  let requests = 0;
  let failedRequests = 0;
  let loading = true;
  const load = (async () => {
    const pending = new Set<Promise<void>>();
    while (loading) {
      const [info, hmac] = signedPack({ base_id: randomUUID() }, 'SECRET_KEY');
      requests++;
      const p: Promise<void> = get(service.port, '/work', { 'X-Trace-Info': info, 'X-Trace-HMAC': hmac! }, agent)
        .then((status) => void (status !== 200 && failedRequests++))
        .catch(() => void failedRequests++)
        .finally(() => pending.delete(p));
      pending.add(p);
      await sleep(intervalMs);
    }
    await Promise.all(pending);
  })();
  try {
    await sleep(warmupMs);
    // why: the first write opens the connection (AMQP handshake, table creation); the outage starts once the store is in use.
    for (let waited = 0; waited < 10_000 && (await stats(service.port)).written === 0; waited += 50) await sleep(50);
    const rssBefore = (await stats(service.port)).rss;
    await get(service.port, '/reset-peak', {}, agent);
    await store.stop();
    const atStop = await stats(service.port);
    await sleep(outageMs);
    const beforeReturn = await stats(service.port);
    await store.start();
    const returnedAt = performance.now();
    const atReturn = await stats(service.port);
    let resumeMs: number | undefined;
    for (let waited = 0; waited < 10_000; waited += 25) {
      const now = await stats(service.port);
      if (now.written > atReturn.written) {
        resumeMs = Math.round(performance.now() - returnedAt);
        break;
      }
      await sleep(25);
    }
    loading = false;
    await load;
    let final = await stats(service.port);
    for (let waited = 0; waited < 10_000 && final.queued > 0; waited += 50) {
      await sleep(50);
      final = await stats(service.port);
    }
    await sleep(300);
    final = await stats(service.port);
    return {
      requests,
      failedRequests,
      atStop,
      atReturn,
      final,
      rssBefore,
      peakRssDuringOutage: beforeReturn.peakRss,
      resumeMs,
      stored: await store.stored(),
      stderr: service.stderr(),
    };
  } finally {
    loading = false;
    agent.destroy();
    service.child.kill('SIGKILL');
  }
}
