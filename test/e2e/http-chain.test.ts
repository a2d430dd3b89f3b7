// Real processes A (node:http) → B (Express) → C (Fastify/Koa) writing one SQLite file: one trace per signed call.
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { loadSqlite } from '../../src/drivers/sqlite/library.js';
import type BetterSqlite3 from 'better-sqlite3';

import '../../src/drivers/builtin.js';
import { runInProfiler } from '../../src/core/context.js';
import { createDriver } from '../../src/drivers/driver.js';
import type { SqliteDriver } from '../../src/drivers/sqlite/driver.js';
import { getTraceIdHeaders } from '../../src/propagation/headers.js';
import { createNotifier } from '../../src/notifier/create.js';
import { setNotifier } from '../../src/notifier/notifier.js';
import { Profiler } from '../../src/core/profiler.js';
import type { Report, ReportNode } from '../../src/report/types.js';
import { signedPack } from '../../src/propagation/signing.js';
import { startTrace } from '../../src/instrumentation/http-client/start-trace.js';
import { traceRequests, untraceRequests } from '../../src/instrumentation/http-client/trace-requests.js';
import type { ChainServiceConfig } from './services/chain-service.js';

const Database = loadSqlite();

const servicesDir = join(dirname(fileURLToPath(import.meta.url)), 'services');
const work = mkdtempSync(join(tmpdir(), 'osp-e2e-http-'));
const dbPath = join(work, 'traces.db');
const connectionString = `sqlite:///${dbPath}`;
const OLD_KEY = 'old-secret';
const NEW_KEY = 'new-secret';
const SERVER_KEYS = `${OLD_KEY},${NEW_KEY}`;

/** One running service process. */
interface Service {
  project: string;
  service: string;
  url: string;
  port: number;
  child: ChildProcess;
}

/** Script and names of one hop of a chain. */
interface Hop {
  script: 'node-http' | 'express' | 'fastify' | 'koa';
  project: string;
  service: string;
  expressModule?: string;
}

const children: ChildProcess[] = [];

function waitForMessage<T>(
  child: ChildProcess,
  key: string,
  match: (value: unknown) => boolean,
  ms: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Record<string, unknown>): void => {
      if (message !== null && typeof message === 'object' && key in message && match(message[key])) {
        cleanup();
        resolve(message[key] as T);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`service exited (code ${code}) before answering "${key}"`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`service did not answer "${key}" within ${ms} ms`));
    }, ms);
    function cleanup(): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function startService(hop: Hop, downstream: string | undefined): Promise<Service> {
  const config: ChainServiceConfig = {
    project: hop.project,
    service: hop.service,
    connectionString,
    hmacKeys: SERVER_KEYS,
    downstream,
    expressModule: hop.expressModule,
  };
  const child = fork(join(servicesDir, `${hop.script}.ts`), [JSON.stringify(config)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const port = await waitForMessage<number>(child, 'ready', () => true, 30_000);
  return { project: hop.project, service: hop.service, url: `http://127.0.0.1:${port}`, port, child };
}

/** Starts the last hop first, so each service knows the URL of the next. Returns [A, B, C]. */
async function startChain(hops: readonly Hop[]): Promise<Service[]> {
  const started: Service[] = [];
  let downstream: string | undefined;
  for (const hop of [...hops].reverse()) {
    const service = await startService(hop, downstream);
    started.unshift(service);
    downstream = service.url;
  }
  return started;
}

let flushCounter = 0;

/** Waits until every service has answered its requests and written their spans to the file. */
async function flushAll(services: readonly Service[]): Promise<void> {
  const id = ++flushCounter;
  await Promise.all(
    services.map((s) => {
      const answered = waitForMessage(s.child, 'flushed', (v) => v === id, 10_000);
      s.child.send({ flush: id });
      return answered;
    }),
  );
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.text() };
}

/** Signed headers of a new trace started by a test-side profiler, and that trace's id. */
function newTrace(key: string): { baseId: string; headers: Record<string, string> } {
  const profiler = new Profiler(key);
  return { baseId: profiler.getBaseId(), headers: runInProfiler(profiler, getTraceIdHeaders) };
}

function only(nodes: readonly ReportNode[], what: string): ReportNode {
  assert.equal(nodes.length, 1, `expected exactly one ${what}, got ${nodes.map((n) => n.info.name).join(', ')}`);
  return nodes[0]!;
}

function payload(
  node: ReportNode,
  which: 'start' | 'stop',
): Record<string, unknown> & { info: Record<string, unknown> } {
  const raw = node.info[`meta.raw_payload.${node.info.name}-${which}`];
  assert.ok(raw !== undefined, `${node.info.name} of ${String(node.info.service)} has no ${which}`);
  return raw as Record<string, unknown> & { info: Record<string, unknown> };
}

/**
 * Asserts the whole trace is exactly wsgi A → http → wsgi B → http → wsgi C, every span with
 * its start and stop, the right project/service, request info and status codes. (The report
 * was read by base_id; Python's SQL layout keeps no base_id in the stored payload.)
 */
function assertChainTree(
  report: Report,
  chain: readonly Service[],
  expected: { parentId: string; query: string; status: number },
): void {
  let nodes = report.children;
  let parentId = expected.parentId;
  chain.forEach((service, depth) => {
    const wsgi = only(nodes, `server span at depth ${depth}`);
    assert.equal(wsgi.info.name, 'wsgi');
    assert.equal(wsgi.info.project, service.project);
    assert.equal(wsgi.info.service, service.service);
    assert.equal(wsgi.parent_id, parentId);
    const start = payload(wsgi, 'start');
    const stop = payload(wsgi, 'stop');
    assert.deepEqual(start.info.request, { path: '/chain', query: expected.query, method: 'GET', scheme: 'http' });
    assert.deepEqual(stop.info.request, { status_code: expected.status });
    assert.equal(stop.info.etype, undefined);
    const next = chain[depth + 1];
    if (next === undefined) {
      assert.deepEqual(wsgi.children, [], `${service.service} made no traced calls`);
      return;
    }
    const http = only(wsgi.children, `client span under ${service.service}`);
    assert.equal(http.info.name, 'http');
    assert.equal(http.info.project, service.project);
    assert.equal(http.info.service, service.service);
    assert.equal(http.parent_id, wsgi.trace_id);
    assert.deepEqual(payload(http, 'start').info.requests, {
      method: 'GET',
      query: expected.query,
      path: '/chain',
      hostname: '127.0.0.1',
      port: next.port,
      scheme: 'http',
    });
    assert.deepEqual(payload(http, 'stop').info.requests, { status_code: expected.status });
    parentId = http.trace_id;
    nodes = http.children;
  });
}

function countSpans(nodes: readonly ReportNode[], counts: Record<string, number> = {}): Record<string, number> {
  for (const node of nodes) {
    counts[node.info.name] = (counts[node.info.name] ?? 0) + 1;
    countSpans(node.children, counts);
  }
  return counts;
}

const tracedBody = (services: readonly Service[], traced: boolean): unknown =>
  services.reduceRight<unknown>(
    (downstream, s) =>
      downstream === undefined ? { service: s.service, traced } : { service: s.service, traced, downstream },
    undefined,
  );

let main: Service[];
let express4Chain: Service[];
let koaChain: Service[];
let all: Service[];
let store: SqliteDriver;
let raw: BetterSqlite3.Database;

/** Rows in the store's table, whatever their trace: "nothing stored" means this did not change. */
const rowCount = (): number => (raw.prepare('SELECT COUNT(*) AS n FROM data').get() as { n: number }).n;

before(async () => {
  [main, express4Chain, koaChain] = await Promise.all([
    startChain([
      { script: 'node-http', project: 'edge', service: 'a-node-http' },
      { script: 'express', project: 'core', service: 'b-express5' },
      { script: 'fastify', project: 'backend', service: 'c-fastify' },
    ]),
    startChain([
      { script: 'node-http', project: 'edge', service: 'a2-node-http' },
      { script: 'express', project: 'core', service: 'b-express4', expressModule: 'express4' },
      { script: 'fastify', project: 'backend', service: 'c2-fastify' },
    ]),
    startChain([
      { script: 'node-http', project: 'edge', service: 'a3-node-http' },
      { script: 'express', project: 'core', service: 'b3-express5' },
      { script: 'koa', project: 'backend', service: 'c-koa' },
    ]),
  ]);
  all = [...main, ...express4Chain, ...koaChain];
  store = (await createDriver(connectionString, { fileMustExist: true })) as SqliteDriver;
  raw = new Database(dbPath, { readonly: true });
});

after(async () => {
  for (const child of children) child.kill();
  raw?.close();
  await store?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('a traced call through A (node:http) → B (Express) → C (Fastify/Koa)', () => {
  it('yields one trace holding all three services’ spans in call order', async () => {
    const { baseId, headers } = newTrace(NEW_KEY);
    const response = await get(`${main[0]!.url}/chain`, headers);
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(response.body), tracedBody(main, true));
    await flushAll(main);
    const report = await store.getReport(baseId);
    assertChainTree(report, main, { parentId: baseId, query: '', status: 200 });
    assert.deepEqual(countSpans(report.children), { wsgi: 3, http: 2 });
  });

  it('records the status C answers at every hop, and the query as sent', async () => {
    const { baseId, headers } = newTrace(OLD_KEY);
    const response = await get(`${main[0]!.url}/chain?status=418&x=1`, headers);
    assert.equal(response.status, 418);
    await flushAll(main);
    assertChainTree(await store.getReport(baseId), main, {
      parentId: baseId,
      query: 'status=418&x=1',
      status: 418,
    });
  });

  it('works the same with Express 4 in the middle', async () => {
    const { baseId, headers } = newTrace(NEW_KEY);
    const response = await get(`${express4Chain[0]!.url}/chain`, headers);
    assert.deepEqual(JSON.parse(response.body), tracedBody(express4Chain, true));
    await flushAll(express4Chain);
    assertChainTree(await store.getReport(baseId), express4Chain, { parentId: baseId, query: '', status: 200 });
  });

  it('works the same with Koa at the end', async () => {
    const { baseId, headers } = newTrace(OLD_KEY);
    const response = await get(`${koaChain[0]!.url}/chain?status=201`, headers);
    assert.deepEqual(JSON.parse(response.body), tracedBody(koaChain, true));
    await flushAll(koaChain);
    assertChainTree(await store.getReport(baseId), koaChain, {
      parentId: baseId,
      query: 'status=201',
      status: 201,
    });
  });

  it('nests the chain under the caller’s own http span with startTrace and traceRequests (the --os-profile pattern)', async () => {
    const notifier = createNotifier(connectionString, { project: 'cli', service: 'e2e-client', flushIntervalMs: 5 });
    setNotifier(notifier);
    traceRequests();
    try {
      const { result, traceId, showCommand } = await startTrace(NEW_KEY, async () => {
        const response = await fetch(`${main[0]!.url}/chain`);
        return response.json();
      });
      assert.deepEqual(result, tracedBody(main, true));
      assert.ok(showCommand.startsWith(`npx osprofiler trace show ${traceId} --html --out trace.html`), showCommand);
      assert.ok(showCommand.includes(' --connection-string '), 'names the store, which is not the default');
      await flushAll(main);
      const report = await store.getReport(traceId);
      const client = only(report.children, 'client span of the caller');
      assert.equal(client.info.name, 'http');
      assert.equal(client.info.service, 'e2e-client');
      assert.equal(client.parent_id, traceId);
      assert.equal((payload(client, 'start').info.requests as { port?: unknown }).port, main[0]!.port);
      assertChainTree({ ...report, children: client.children }, main, {
        parentId: client.trace_id,
        query: '',
        status: 200,
      });
    } finally {
      untraceRequests();
      setNotifier(undefined);
      await notifier.shutdown();
    }
  });
});

describe('key rotation: services configured with "old,new"', () => {
  for (const [which, key] of [
    ['old', OLD_KEY],
    ['new', NEW_KEY],
  ] as const) {
    it(`traces the whole chain when the caller signs with the ${which} key`, async () => {
      const { baseId, headers } = newTrace(key);
      const response = await get(`${main[0]!.url}/chain`, headers);
      assert.deepEqual(JSON.parse(response.body), tracedBody(main, true));
      await flushAll(main);
      assertChainTree(await store.getReport(baseId), main, { parentId: baseId, query: '', status: 200 });
    });
  }
});

describe('requests that must not be traced', () => {
  const BASE = '0badc0de-0000-4000-8000-000000000001';
  const PARENT = '0badc0de-0000-4000-8000-000000000002';
  const OTHER_BASE = '0badc0de-0000-4000-8000-000000000003';
  const [goodInfo, goodHmac] = signedPack({ base_id: BASE, parent_id: PARENT }, NEW_KEY) as [string, string];
  const [otherInfo] = signedPack({ base_id: OTHER_BASE, parent_id: PARENT }, NEW_KEY);
  const [hugeInfo, hugeHmac] = signedPack({ base_id: BASE, parent_id: 'p'.repeat(7000) }, NEW_KEY) as [string, string];
  const [wrongInfo, wrongHmac] = signedPack({ base_id: BASE, parent_id: PARENT }, 'not-a-server-key') as [
    string,
    string,
  ];
  const flipped = goodHmac.slice(0, -1) + (goodHmac.endsWith('0') ? '1' : '0');

  const cases: Array<[string, Record<string, string>]> = [
    ['no trace headers at all', {}],
    ['X-Trace-Info without X-Trace-HMAC (unsigned)', { 'X-Trace-Info': goodInfo }],
    ['headers signed with a key no service has', { 'X-Trace-Info': wrongInfo, 'X-Trace-HMAC': wrongHmac }],
    [
      'a tampered X-Trace-Info (another trace id) under the original HMAC',
      { 'X-Trace-Info': otherInfo, 'X-Trace-HMAC': goodHmac },
    ],
    ['a tampered X-Trace-HMAC', { 'X-Trace-Info': goodInfo, 'X-Trace-HMAC': flipped }],
    ['a correctly signed X-Trace-Info larger than 8 KiB', { 'X-Trace-Info': hugeInfo, 'X-Trace-HMAC': hugeHmac }],
  ];

  it('the oversized case is really over the cap and validly signed', () => {
    assert.ok(Buffer.byteLength(hugeInfo) > 8192, `${Buffer.byteLength(hugeInfo)} bytes`);
  });

  // why: sent to every hop directly too, so each framework's entry point is checked, not only A's.
  const entries = (): Array<{ name: string; rest: Service[] }> => [
    { name: 'A (node:http)', rest: main },
    { name: 'B (Express 5)', rest: main.slice(1) },
    { name: 'B (Express 4)', rest: express4Chain.slice(1) },
    { name: 'C (Fastify)', rest: main.slice(2) },
    { name: 'C (Koa)', rest: koaChain.slice(2) },
  ];

  for (const [what, headers] of cases) {
    it(`${what}: same answer as an unsigned call at every hop, nothing stored`, async () => {
      await flushAll(all);
      const rowsBefore = rowCount();
      for (const { name, rest } of entries()) {
        const url = `${rest[0]!.url}/chain?status=203`;
        const reference = await get(url);
        assert.equal(reference.status, 203, name);
        assert.deepEqual(JSON.parse(reference.body), tracedBody(rest, false), name);
        const response = await get(url, headers);
        assert.equal(response.status, reference.status, name);
        assert.equal(response.body, reference.body, name);
      }
      await flushAll(all);
      assert.equal(rowCount(), rowsBefore);
      for (const id of [BASE, OTHER_BASE]) assert.deepEqual((await store.getReport(id)).children, []);
    });
  }
});

describe('100 concurrent traced calls', () => {
  it('yield 100 separate traces, each exactly its own 3 wsgi and 2 http spans with the right parents', async () => {
    const tracesBefore = await store.countTraces();
    const calls = Array.from({ length: 100 }, (_, i) => ({ ...newTrace(i % 2 === 0 ? OLD_KEY : NEW_KEY), i }));
    const responses = await Promise.all(calls.map((call) => get(`${main[0]!.url}/chain?n=${call.i}`, call.headers)));
    for (const response of responses) {
      assert.equal(response.status, 200);
      assert.deepEqual(JSON.parse(response.body), tracedBody(main, true));
    }
    await flushAll(main);
    assert.equal(await store.countTraces(), tracesBefore + 100);
    for (const call of calls) {
      const report = await store.getReport(call.baseId);
      assertChainTree(report, main, { parentId: call.baseId, query: `n=${call.i}`, status: 200 });
      assert.deepEqual(countSpans(report.children), { wsgi: 3, http: 2 });
    }
  });
});

describe('the services stay healthy', () => {
  it('every service process is still running after all of the above', async () => {
    await flushAll(all);
    for (const service of all) assert.equal(service.child.exitCode, null, `${service.service} exited`);
  });
});
