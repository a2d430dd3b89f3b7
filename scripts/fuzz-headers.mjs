#!/usr/bin/env node
// The full fuzz run of the signed-header path: N (default 1,000,000) random and mutated header pairs
// through signedUnpack and wrapListener; prints the counts and the time, exits 1 on any failure.
// Run: node --import tsx scripts/fuzz-headers.mjs [pairs] [seed]
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { fuzzListener, fuzzOne, headerPairArb } from '../test/helpers/header-fuzz.ts';

const total = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
const counts = { pairs: 0, exceptions: 0, unsignedAccepted: 0, signedTraced: 0 };
const listener = fuzzListener();
const started = performance.now();
const chunk = 50_000;
try {
  // why: in chunks of fresh seeds, so progress shows and fast-check's per-run bookkeeping stays small.
  for (let done = 0, part = 0; done < total; done += chunk, part++) {
    const runs = Math.min(chunk, total - done);
    fc.assert(
      fc.property(headerPairArb, (pair) => {
        fuzzOne(pair, counts, listener);
        return counts.exceptions === 0 && counts.unsignedAccepted === 0;
      }),
      { numRuns: runs, seed: seed + part },
    );
    process.stderr.write(`\r${counts.pairs} pairs…`);
  }
} catch (error) {
  process.stderr.write('\n');
  console.error(error instanceof Error ? error.message.split('\n').slice(0, 6).join('\n') : String(error));
} finally {
  listener.close();
}
const seconds = (performance.now() - started) / 1000;
process.stderr.write('\n');
console.log(
  `fuzz-headers: ${counts.pairs} pairs (seed ${seed}) in ${seconds.toFixed(1)} s: ${counts.exceptions} exceptions, ` +
    `${counts.unsignedAccepted} accepted without a valid signature, ${counts.signedTraced} validly signed pairs traced`,
);
if (counts.firstFailure) console.log('first failure:', JSON.stringify(counts.firstFailure).slice(0, 500));
process.exit(counts.exceptions === 0 && counts.unsignedAccepted === 0 && counts.pairs >= total ? 0 : 1);
