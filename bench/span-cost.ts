// Core benchmark (issue 3): span cost, untraced trace() overhead and await cost, as ratios to baselines.
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { createNotifier, flush, runWithProfiler, setNotifier, trace, Profiler } from '../src/index.js';
import { fmtNs, nsPerOp, row } from './harness.js';

// why: 1,000 spans, then the queue drains, as in a service that yields to I/O between bursts
// of work; both libraries run the same pattern, interleaved round by round so they share the noise.
const CHUNK = 1_000;
const CHUNKS_PER_ROUND = 100;
const ROUNDS = 9;

interface Contender {
  name: string;
  burst(): void;
  drain(): Promise<void>;
}

function osprofiler(): Contender {
  const notifier = createNotifier('noop://', { maxBatchSize: 1000 });
  setNotifier(notifier);
  const profiler = new Profiler('key');
  return {
    name: 'osprofiler',
    burst: () =>
      runWithProfiler(profiler, () => {
        for (let i = 0; i < CHUNK; i++) {
          profiler.start('bench');
          profiler.stop();
        }
      }),
    drain: () => flush(),
  };
}

function openTelemetry(): Contender {
  const exporter: SpanExporter = {
    export: (_spans: ReadableSpan[], done) => done({ code: 0 }),
    shutdown: async () => {},
  };
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new BatchSpanProcessor(exporter, { maxQueueSize: 100_000, maxExportBatchSize: 1000, scheduledDelayMillis: 50 }),
    ],
  });
  const tracer = provider.getTracer('bench');
  return {
    name: 'opentelemetry',
    burst: () => {
      for (let i = 0; i < CHUNK; i++) tracer.startSpan('bench').end();
    },
    drain: () => provider.forceFlush(),
  };
}

async function roundNs(c: Contender): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CHUNKS_PER_ROUND; i++) {
    c.burst();
    await c.drain();
  }
  return Number(process.hrtime.bigint() - t0) / (CHUNK * CHUNKS_PER_ROUND);
}

async function spanCosts(): Promise<{ ours: number; otel: number }> {
  const contenders = [osprofiler(), openTelemetry()];
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r <= ROUNDS; r++) {
    for (const c of contenders) {
      const ns = await roundNs(c);
      if (r > 0) samples.get(c.name)!.push(ns); // round 0 warms up
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  setNotifier(undefined);
  return { ours: median(samples.get('osprofiler')!), otel: median(samples.get('opentelemetry')!) };
}

function untracedOverhead(): { plain: number; wrapped: number } {
  let sink = 0;
  const plainFn = (x: number) => x + 1;
  const wrappedFn = trace('bench')((x: number) => x + 1);
  const plain = nsPerOp(() => (sink += plainFn(sink & 1)), 5_000_000);
  const wrapped = nsPerOp(() => (sink += wrappedFn(sink & 1)), 5_000_000);
  if (sink === -1) console.log(sink);
  return { plain, wrapped };
}

function awaitCost(mode: 'never' | 'traced'): number {
  const child = fileURLToPath(new URL('./await-child.ts', import.meta.url));
  const out = spawnSync(process.execPath, ['--import', 'tsx', child, mode], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(out.stderr);
  return Number(out.stdout.trim());
}

// the untraced measurement first: no AsyncLocalStorage exists yet in this process
const { plain, wrapped } = untracedOverhead();
const uuidNs = nsPerOp(() => randomUUID(), 1_000_000);
const { ours, otel } = await spanCosts();
const awaitNever = awaitCost('never');
const awaitTraced = awaitCost('traced');

console.log(`\nosprofiler core benchmark — Node ${process.version}, ${new Date().toISOString()}\n`);
row('baseline: plain function call', fmtNs(plain));
row('baseline: crypto.randomUUID()', fmtNs(uuidNs));
row(
  'span start+stop, payloads queued (noop:// driver)',
  fmtNs(ours),
  `= ${(ours / uuidNs).toFixed(1)}x randomUUID (not interleaved; bench:check measures it interleaved); target <= 2.5x`,
);
row(
  'OpenTelemetry span (BatchSpanProcessor, no-op exp.)',
  fmtNs(otel),
  `ours is ${(otel / ours).toFixed(1)}x cheaper (target >= 4x)`,
);
row('trace()-wrapped call, no active trace', fmtNs(wrapped), `adds ${fmtNs(wrapped - plain)} (target <= 15 ns)`);
row('await, process that never traced', fmtNs(awaitNever));
row('await, process after a trace (ALS enabled)', fmtNs(awaitTraced), `= ${(awaitTraced / awaitNever).toFixed(2)}x`);
