// Tiny timing harness shared by the benchmarks: warm up, run N times, report ns per operation.

/** Nanoseconds per call of `fn` (median of `rounds` timed runs of `iterations` calls each). */
export function nsPerOp(fn: () => unknown, iterations = 1_000_000, rounds = 7): number {
  for (let i = 0; i < Math.min(iterations, 100_000); i++) fn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / iterations);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** Same as nsPerOp for async work that must be awaited in chunks (e.g. to let a queue drain). */
export async function nsPerOpAsync(
  chunk: () => number,
  drain: () => Promise<void>,
  total: number,
  rounds = 5,
): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    let done = 0;
    const t0 = process.hrtime.bigint();
    while (done < total) {
      done += chunk();
      await drain();
    }
    if (r > 0) samples.push(Number(process.hrtime.bigint() - t0) / done);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** Prints one result row: a name, a figure, and ratios to named baselines. */
export function row(name: string, value: string, notes = ''): void {
  console.log(`${name.padEnd(52)} ${value.padStart(14)}  ${notes}`);
}

export const fmtNs = (ns: number): string => `${ns.toFixed(1)} ns`;
