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
import { fmtNs, nsPerOp, nsPerOpAsync, row } from './harness.js';

const CHUNK = 20_000; // spans per chunk: 40k notifications stay below the queue's 100k bound

async function spanCost(): Promise<number> {
  const notifier = createNotifier('noop://', { maxBatchSize: 1000 });
  setNotifier(notifier);
  const profiler = new Profiler('key');
  const ns = await runWithProfiler(profiler, () =>
    nsPerOpAsync(
      () => {
        for (let i = 0; i < CHUNK; i++) {
          profiler.start('bench');
          profiler.stop();
        }
        return CHUNK;
      },
      () => flush(),
      400_000,
    ),
  );
  const stats = notifier.stats();
  if (stats.dropped > 0 || stats.failed > 0) throw new Error(`bench invalid: ${JSON.stringify(stats)}`);
  setNotifier(undefined);
  return ns;
}

async function otelSpanCost(): Promise<number> {
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
  const ns = await nsPerOpAsync(
    () => {
      for (let i = 0; i < CHUNK; i++) tracer.startSpan('bench').end();
      return CHUNK;
    },
    () => provider.forceFlush(),
    400_000,
  );
  await provider.shutdown();
  return ns;
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

const uuidNs = nsPerOp(() => randomUUID(), 1_000_000);
const { plain, wrapped } = untracedOverhead();
const ours = await spanCost();
const otel = await otelSpanCost();
const awaitNever = awaitCost('never');
const awaitTraced = awaitCost('traced');

console.log(`\nosprofiler core benchmark — Node ${process.version}, ${new Date().toISOString()}\n`);
row('baseline: plain function call', fmtNs(plain));
row('baseline: crypto.randomUUID()', fmtNs(uuidNs));
row(
  'span start+stop, payloads queued (no-op driver)',
  fmtNs(ours),
  `= ${(ours / uuidNs).toFixed(1)}x randomUUID; target <= 400 ns`,
);
row(
  'OpenTelemetry span (BatchSpanProcessor, no-op exp.)',
  fmtNs(otel),
  `ours is ${(otel / ours).toFixed(1)}x cheaper (target >= 4x)`,
);
row('trace()-wrapped call, no active trace', fmtNs(wrapped), `adds ${fmtNs(wrapped - plain)} (target <= 15 ns)`);
row('await, process that never traced', fmtNs(awaitNever));
row('await, process after a trace (ALS enabled)', fmtNs(awaitTraced), `= ${(awaitTraced / awaitNever).toFixed(2)}x`);
