// Issue 5 bench, over loopback with one server: its request listener switches between variants every
// few milliseconds under one continuous autocannon load, and the server counts requests and CPU time
// per variant. Machine noise (other tenants, CPU frequency) hits every variant alike, so the ratios
// resolve differences of about 1 %, which separate server processes measured one after another cannot.
// Run: node --import tsx bench/http-ab.ts [--seconds 20] [--slice-ms 50] [--connections 32]
import { fork } from 'node:child_process';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAutocannon, waitForMessage, type AutocannonRequest } from './child-load.js';

const KEY = 'bench-key';
const BASE_ID = '5e1f1b1c-0000-4000-8000-00000000be0c';
type Variant = 'plain' | 'wrapped' | 'otelSpan' | 'otelContext';
const LABELS: Record<Variant, string> = {
  plain: 'plain node:http',
  wrapped: 'wrapListener',
  otelSpan: 'OpenTelemetry bare server span',
  otelContext: 'OpenTelemetry traceparent + context + span',
};

interface Tally {
  requests: number;
  /** Server CPU time (user + system) spent while this variant was the listener, µs. */
  cpuUs: number;
  /** Wall time this variant was the listener, ms. */
  ms: number;
}

function hello(_req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('content-type', 'text/plain');
  res.end('hello world');
}

// ---------------------------------------------------------------------------------------------
// Child: the server.

async function serve(variants: Variant[]): Promise<void> {
  const { createNotifier, setNotifier } = await import('../src/index.js');
  const { wrapListener } = await import('../src/instrumentation/http-server/node-http.js');
  const { otelBaseline } = await import('./otel-baseline.js');
  setNotifier(createNotifier('noop://'));
  const otel = otelBaseline(hello);
  const listeners: Record<Variant, http.RequestListener> = {
    plain: hello,
    wrapped: wrapListener(hello, { hmacKeys: KEY }),
    otelSpan: otel.spanOnly,
    otelContext: variants.includes('otelContext') ? otel.withContext() : hello,
  };
  const tallies = Object.fromEntries(variants.map((v) => [v, { requests: 0, cpuUs: 0, ms: 0 }])) as Record<
    Variant,
    Tally
  >;
  let current: Variant = variants[0]!;
  let counting = false;
  let sliceCpu = process.cpuUsage();
  let sliceStart = performance.now();
  const server = http.createServer((req, res) => {
    if (counting) tallies[current].requests++;
    listeners[current](req, res);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let turn = 0;
  const closeSlice = (): void => {
    const cpu = process.cpuUsage(sliceCpu);
    const now = performance.now();
    if (counting) {
      tallies[current].cpuUs += cpu.user + cpu.system;
      tallies[current].ms += now - sliceStart;
    }
    sliceCpu = process.cpuUsage();
    sliceStart = now;
  };
  process.on('message', (message: { start?: number; stop?: boolean }) => {
    if (typeof message.start === 'number') {
      // why: each slice runs one variant, in a fresh random order every round, so none always
      // follows the same one.
      let order = [...variants];
      const timer = setInterval(() => {
        closeSlice();
        turn++;
        if (turn % variants.length === 0) order = [...variants].sort(() => Math.random() - 0.5);
        current = order[turn % variants.length]!;
      }, message.start);
      closeSlice(); // not counting yet: only resets the slice clock
      counting = true;
      process.once('message', () => {
        clearInterval(timer);
        closeSlice();
        counting = false;
        process.send?.({ tallies });
      });
    }
  });
  process.send?.({ ready: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// Parent: the load.

async function run(
  variants: Variant[],
  headers: () => Record<string, string>,
  options: { seconds: number; sliceMs: number; connections: number },
): Promise<Record<Variant, Tally>> {
  const child = fork(fileURLToPath(import.meta.url), ['serve', variants.join(',')], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const url = await waitForMessage<string>(child, 'ready');
    const autocannon = await loadAutocannon();
    const setupRequest = (request: AutocannonRequest): AutocannonRequest => {
      request.headers = { ...request.headers, ...headers() };
      return request;
    };
    await autocannon({ url, connections: options.connections, duration: 2, requests: [{ setupRequest }] }); // warm-up
    const tallies = waitForMessage<Record<Variant, Tally>>(child, 'tallies');
    // why: counting starts a second into the load and stops a second before its end, so every
    // counted slice ran with the server saturated (idle time would inflate one variant's clock).
    const load = autocannon({
      url,
      connections: options.connections,
      duration: options.seconds + 2,
      requests: [{ setupRequest }],
    });
    const startTimer = setTimeout(() => child.send({ start: options.sliceMs }), 1000);
    const stopTimer = setTimeout(() => child.send({ stop: true }), (options.seconds + 1) * 1000);
    const result = await load;
    clearTimeout(startTimer);
    clearTimeout(stopTimer);
    if (result.errors || result.timeouts || result.non2xx) throw new Error(`load errors: ${JSON.stringify(result)}`);
    return await tallies;
  } finally {
    child.kill();
  }
}

function report(title: string, tallies: Record<Variant, Tally>): void {
  const plain = tallies.plain;
  const rps = (t: Tally): number => t.requests / (t.ms / 1000);
  const cpu = (t: Tally): number => t.cpuUs / Math.max(1, t.requests);
  console.log(`\n${title}`);
  console.log(
    `${'variant'.padEnd(46)} ${'req/s'.padStart(8)} ${'x plain'.padStart(8)} ${'cpu µs/req'.padStart(11)} ${'+cpu µs'.padStart(8)} ${'requests'.padStart(9)}`,
  );
  for (const [variant, t] of Object.entries(tallies) as [Variant, Tally][]) {
    console.log(
      `${LABELS[variant].padEnd(46)} ${rps(t).toFixed(0).padStart(8)} ${(rps(t) / rps(plain)).toFixed(3).padStart(8)}` +
        ` ${cpu(t).toFixed(2).padStart(11)} ${variant === 'plain' ? ''.padStart(8) : (cpu(t) - cpu(plain)).toFixed(2).padStart(8)}` +
        ` ${String(t.requests).padStart(9)}`,
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '20' },
      'slice-ms': { type: 'string', default: '50' },
      connections: { type: 'string', default: '32' },
    },
  });
  const options = {
    seconds: Math.max(2, Number(values.seconds)),
    sliceMs: Math.max(5, Number(values['slice-ms'])),
    connections: Math.max(1, Number(values.connections)),
  };
  const { signedPack } = await import('../src/propagation/signing.js');
  // why: a traced client sends a new parent id with every request; 4,096 pre-signed sets, cycled,
  // defeat any memoisation and cost the load generator nothing per request.
  const pool: Record<string, string>[] = [];
  for (let i = 0; i < 4096; i++) {
    const [info, hmac] = signedPack({ base_id: BASE_ID, parent_id: crypto.randomUUID() }, KEY);
    const hex = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('hex');
    pool.push({
      'X-Trace-Info': info,
      'X-Trace-HMAC': hmac!,
      traceparent: `00-${hex.slice(0, 32)}-${hex.slice(32, 48)}-01`,
    });
  }
  let next = 0;
  console.log(
    `http A/B: one server, the listener switching every ${options.sliceMs} ms under autocannon ` +
      `(${options.connections} connections, ${options.seconds} s per run); node ${process.versions.node}`,
  );
  const untraced = await run(['plain', 'wrapped'], () => ({}), options);
  report('untraced requests (no trace headers)', untraced);
  const traced = await run(['plain', 'wrapped', 'otelSpan', 'otelContext'], () => pool[next++ % pool.length]!, options);
  report(
    'traced requests (each carries a fresh signed X-Trace-Info/X-Trace-HMAC and a traceparent; plain ignores them)',
    traced,
  );
  const rps = (t: Tally): number => t.requests / (t.ms / 1000);
  const cpu = (t: Tally): number => t.cpuUs / Math.max(1, t.requests);
  const loss = (1 - rps(untraced.wrapped) / rps(untraced.plain)) * 100;
  const addedCpu = cpu(traced.wrapped) - cpu(traced.plain);
  console.log(
    `\ntarget: untraced within 1 % of plain: ${loss.toFixed(2)} % fewer req/s -> ${loss <= 1 ? 'met' : 'MISSED'}` +
      `\ntarget: traced adds <= 3 µs: ${addedCpu.toFixed(2)} cpu µs -> ${addedCpu <= 3 ? 'met' : 'MISSED'}; ` +
      `${(addedCpu / (cpu(traced.otelSpan) - cpu(traced.plain))).toFixed(2)}x OpenTelemetry's bare span, ` +
      `${(addedCpu / (cpu(traced.otelContext) - cpu(traced.plain))).toFixed(2)}x its traceparent + context + span`,
  );
}

if (process.argv[2] === 'serve') await serve(process.argv[3]!.split(',') as Variant[]);
else await main();
