// HTTP server benchmark (issue 5): req/s of a hello-world node:http server plain, behind wrapListener, traced, and with OTel.
// Run: node --import tsx bench/http-overhead.ts [--rounds 5] [--seconds 3] [--connections 32]
// Each server runs in a child process of its own (this file, forked with `serve <variant>`); autocannon
// runs here. Variants are measured interleaved, round after round, and medians are reported.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAutocannon, waitForMessage, type AutocannonRequest } from './child-load.js';

const KEY = 'bench-key';
const BASE_ID = '5e1f1b1c-0000-4000-8000-00000000be0c';
const PARENT_ID = '5e1f1b1c-0000-4000-8000-00000000cafe';

type Variant = 'plain' | 'wrapped' | 'wrappedWarm' | 'traced' | 'otel' | 'otelContext';

interface VariantSpec {
  label: string;
  /** The trace headers every request carries: ours (signed), W3C `traceparent`, or none. */
  headers: 'osprofiler' | 'w3c' | 'none';
}

const VARIANTS: Record<Variant, VariantSpec> = {
  plain: { label: 'plain node:http', headers: 'none' },
  wrapped: { label: 'wrapListener, untraced requests', headers: 'none' },
  wrappedWarm: { label: 'wrapListener, untraced, after a traced one', headers: 'none' },
  traced: { label: 'wrapListener, traced (no-op driver)', headers: 'osprofiler' },
  otel: { label: 'OpenTelemetry span per request', headers: 'none' },
  otelContext: { label: 'OpenTelemetry traceparent + context + span', headers: 'w3c' },
};

function hello(_req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('content-type', 'text/plain');
  res.end('hello world');
}

// ---------------------------------------------------------------------------------------------
// Child: one server.

async function noopNotifier(): Promise<() => { dropped: number; failed: number; written: number }> {
  const { createNotifier, setNotifier } = await import('../src/index.js');
  const notifier = createNotifier('noop://', {});
  setNotifier(notifier);
  return () => notifier.stats();
}

async function otelListener(withContext: boolean): Promise<http.RequestListener> {
  const { otelBaseline } = await import('./otel-baseline.js');
  const otel = otelBaseline(hello);
  return withContext ? otel.withContext() : otel.spanOnly;
}

async function serve(variant: Variant): Promise<void> {
  let listener: http.RequestListener = hello;
  let stats: (() => unknown) | undefined;
  if (variant === 'wrapped' || variant === 'wrappedWarm' || variant === 'traced') {
    const { wrapListener } = await import('../src/instrumentation/http-server/node-http.js');
    listener = wrapListener(hello, { hmacKeys: KEY });
    if (variant !== 'wrapped') stats = await noopNotifier();
  } else if (variant === 'otel' || variant === 'otelContext') {
    listener = await otelListener(variant === 'otelContext');
  }
  const server = http.createServer(listener);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  if (variant === 'wrappedWarm') {
    // why: a service that has served one traced request keeps an AsyncLocalStorage alive, which
    // makes every later async resource a little dearer; this variant measures that state.
    await fetch(url, { headers: await signedHeaders() }).then((r) => r.text());
  }
  process.send?.({ ready: url });
  process.on('message', (message: { stats?: boolean; cpu?: number }) => {
    if (message?.stats) process.send?.({ stats: stats?.() ?? null });
    if (typeof message?.cpu === 'number') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpu: [message.cpu, user + system] });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

/** The signed trace headers of one request (the driver is a no-op, so the trace id is fixed). */
async function signedHeaders(parentId = PARENT_ID): Promise<Record<string, string>> {
  const { signedPack } = await import('../src/propagation/signing.js');
  const [info, hmac] = signedPack({ base_id: BASE_ID, parent_id: parentId }, KEY);
  return { 'X-Trace-Info': info, 'X-Trace-HMAC': hmac! };
}

/**
 * Header sets for the requests of a variant, cycled through by the load generator.
 * why: a traced client sends a new parent id on every request (one child span each), so the
 * server sees a different signed pair every time; a pool this size defeats any memoisation while
 * costing the load generator nothing per request.
 */
async function headerPool(kind: VariantSpec['headers']): Promise<Record<string, string>[]> {
  if (kind === 'none') return [{}];
  const pool: Record<string, string>[] = [];
  for (let i = 0; i < 4096; i++) {
    if (kind === 'osprofiler') pool.push(await signedHeaders(crypto.randomUUID()));
    else pool.push({ traceparent: `00-${randomHex(16)}-${randomHex(8)}-01` });
  }
  return pool;
}

const randomHex = (bytes: number): string => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');

// ---------------------------------------------------------------------------------------------
// Parent: start the servers, drive them with autocannon, print medians.

let cpuAsk = 0;

/** CPU time (user + system, µs) the server process has used so far. */
async function cpuOf(child: ChildProcess): Promise<number> {
  const id = ++cpuAsk;
  const answer = waitForMessage<[number, number]>(child, 'cpu', (v) => Array.isArray(v) && v[0] === id);
  child.send({ cpu: id });
  return (await answer)[1];
}

/** Binds a process to one CPU with taskset (Linux); false when that is not possible here. */
function pin(pid: number, cpu: number): boolean {
  try {
    execFileSync('taskset', ['-pc', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const fixed = (n: number, digits: number, width: number): string => n.toFixed(digits).padStart(width);

/** One measured run: throughput, and the server's own CPU time per request. */
interface Sample {
  rps: number;
  cpuUs: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '3' },
      connections: { type: 'string', default: '32' },
    },
  });
  const rounds = Math.max(1, Number(values.rounds));
  const seconds = Math.max(1, Number(values.seconds));
  const connections = Math.max(1, Number(values.connections));
  const autocannon = await loadAutocannon();
  const self = fileURLToPath(import.meta.url);
  const variants = Object.keys(VARIANTS) as Variant[];

  // why: on a small shared machine the load generator and the server otherwise fight over the
  // same core from one sample to the next, which swings req/s by ±20 %; one core each steadies it.
  const cpus = availableParallelism();
  const pinned = cpus >= 2 && pin(process.pid, 0);
  const children = new Map<Variant, { child: ChildProcess; url: string }>();
  const pools = new Map<Variant, Record<string, string>[]>();
  try {
    await Promise.all(
      variants.map(async (variant) => {
        const child = fork(self, ['serve', variant], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        if (pinned) pin(child.pid!, cpus - 1);
        children.set(variant, { child, url: '' });
        children.get(variant)!.url = await waitForMessage<string>(child, 'ready');
        pools.set(variant, await headerPool(VARIANTS[variant].headers));
      }),
    );
    console.log(
      `http server overhead: hello world, autocannon ${connections} connections x ${seconds} s, ${rounds} interleaved rounds\n` +
        `node ${process.versions.node}, ${cpus} CPUs; autocannon in this process, each server in its own` +
        `${pinned ? ' (load generator on CPU 0, servers on the last CPU)' : ''}\n`,
    );
    const run = async (variant: Variant, duration: number): Promise<Sample> => {
      const { url, child } = children.get(variant)!;
      const pool = pools.get(variant)!;
      let next = 0;
      const setupRequest = (request: AutocannonRequest): AutocannonRequest => {
        request.headers = { ...request.headers, ...pool[next++ % pool.length] };
        return request;
      };
      const cpuBefore = await cpuOf(child);
      const result = await autocannon({ url, connections, duration, requests: [{ setupRequest }] });
      const cpuAfter = await cpuOf(child);
      if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
        throw new Error(`${variant}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
      }
      const total = Math.max(1, result.requests.total);
      return { rps: total / duration, cpuUs: (cpuAfter - cpuBefore) / total };
    };

    for (const variant of variants) await run(variant, 1); // warm-up (JIT, connections)
    const samples = new Map<Variant, Sample[]>(variants.map((v) => [v, []]));
    for (let round = 0; round < rounds; round++) {
      // why: rotate the order each round so drift (thermal, noisy neighbours) spreads over all variants.
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
      for (const variant of order) samples.get(variant)!.push(await run(variant, seconds));
    }

    const rpsOf = (v: Variant): number => median(samples.get(v)!.map((s) => s.rps));
    const cpuOfVariant = (v: Variant): number => median(samples.get(v)!.map((s) => s.cpuUs));
    const plainRps = rpsOf('plain');
    const plainCpu = cpuOfVariant('plain');
    const usAdded = (rps: number): number => 1e6 / rps - 1e6 / plainRps;
    console.log(
      `${'variant'.padEnd(44)} ${'req/s'.padStart(8)} ${'x plain'.padStart(8)} ${'+µs/req'.padStart(8)}` +
        ` ${'cpu µs/req'.padStart(11)} ${'+cpu µs'.padStart(8)}  req/s samples`,
    );
    for (const variant of variants) {
      const rps = rpsOf(variant);
      const cpu = cpuOfVariant(variant);
      const isPlain = variant === 'plain';
      console.log(
        `${VARIANTS[variant].label.padEnd(44)} ${fixed(rps, 0, 8)} ${fixed(rps / plainRps, 3, 8)}` +
          ` ${isPlain ? ''.padStart(8) : fixed(usAdded(rps), 2, 8)} ${fixed(cpu, 2, 11)}` +
          ` ${isPlain ? ''.padStart(8) : fixed(cpu - plainCpu, 2, 8)}  ` +
          samples
            .get(variant)!
            .map((s) => s.rps.toFixed(0))
            .join(' '),
      );
    }
    const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');
    const rpsLoss = (v: Variant): number => (1 - rpsOf(v) / plainRps) * 100;
    const cpuGain = (v: Variant): number => (cpuOfVariant(v) / plainCpu - 1) * 100;
    const tracedUs = usAdded(rpsOf('traced'));
    const tracedCpuUs = cpuOfVariant('traced') - plainCpu;
    console.log('');
    for (const v of ['wrapped', 'wrappedWarm'] as const) {
      console.log(
        `target: ${VARIANTS[v].label} within 1 % of plain: req/s ${fixed(rpsLoss(v), 2, 0)} % lower -> ` +
          `${verdict(rpsLoss(v) <= 1)}; cpu/req ${fixed(cpuGain(v), 2, 0)} % higher -> ${verdict(cpuGain(v) <= 1)}`,
      );
    }
    const otelCpuUs = cpuOfVariant('otel') - plainCpu;
    const otelContextCpuUs = cpuOfVariant('otelContext') - plainCpu;
    console.log(
      `target: traced adds <= 3 µs per request: ${fixed(tracedUs, 2, 0)} µs by req/s -> ${verdict(tracedUs <= 3)}; ` +
        `${fixed(tracedCpuUs, 2, 0)} cpu µs -> ${verdict(tracedCpuUs <= 3)}`,
    );
    console.log(
      `traced cpu added = ${fixed(tracedCpuUs / otelCpuUs, 2, 0)}x OpenTelemetry's bare span, ` +
        `${fixed(tracedCpuUs / otelContextCpuUs, 2, 0)}x its traceparent + context + span ` +
        '(the issue sets 3 µs against ~6 µs for an OpenTelemetry span: 0.5x)',
    );
    console.log(
      "\n+µs/req = 1e6/req_s(variant) - 1e6/req_s(plain). cpu µs/req = the server process's own CPU time per\n" +
        'request (process.cpuUsage): usually steadier than req/s on a shared machine, but it rises too when the\n' +
        'server is starved (fewer requests per event-loop turn). Trust neither on a loaded machine:\n' +
        'separate servers measured one after another swing by several % here, so judge the 1 % target\n' +
        'with bench/http-ab.ts (one server, variants alternating under one load).\n' +
        'Traced requests carry a different signed parent id each (4,096 pre-signed, cycled), as a traced\n' +
        'client sends; the OpenTelemetry context variant gets a different traceparent each in the same way.\n' +
        'The bare-span OpenTelemetry variant has no context manager, so it runs without AsyncLocalStorage.',
    );

    for (const variant of ['wrappedWarm', 'traced'] as const) {
      const { child } = children.get(variant)!;
      const answer = waitForMessage<{ dropped: number; failed: number } | null>(child, 'stats');
      child.send({ stats: true });
      const stats = await answer;
      if (stats !== null && (stats.dropped > 0 || stats.failed > 0)) {
        throw new Error(`bench invalid: ${variant} dropped notifications: ${JSON.stringify(stats)}`);
      }
    }
  } finally {
    for (const { child } of children.values()) child.kill();
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as Variant);
else await main();
