// Child of span-cost.ts: times `await` in a fresh process, optionally after one trace was started.
import { init, clean } from '../src/index.js';

if (process.argv[2] === 'traced') {
  init('key');
  clean();
}
async function loop(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await null;
}
await loop(100_000);
const samples: number[] = [];
for (let r = 0; r < 7; r++) {
  const t0 = process.hrtime.bigint();
  await loop(1_000_000);
  samples.push(Number(process.hrtime.bigint() - t0) / 1_000_000);
}
samples.sort((a, b) => a - b);
console.log(samples[3]);
