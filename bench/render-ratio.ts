// bench:check's renderJson measure, shared by the SQLite, Redis and PostgreSQL read checks.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { renderJson } from '../src/report/json.js';
import type { Report } from '../src/report/types.js';

/** renderRatios' pairs per report read (each round of a read check reads one). */
export const RENDER_PAIRS = 3;

// why: a full collection before each timed call (not timed), so neither side pays for collecting
// the 70 MB text the call before it left, nor for whatever else the read left; which side happened
// to cross a major-GC threshold swung single ratios from 0.5 to 3 (CPU time, same report).
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** CPU milliseconds (user + system, every thread of the process: V8's GC helpers included) of `fn`. */
function cpuMs(fn: () => unknown): number {
  collect();
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/**
 * `pairs` samples of renderJson(report)'s CPU time over JSON.stringify(report, null, 2)'s, the
 * two back to back, the first of each pair alternating (starting with renderJson unless
 * `stringifyFirst`). why: CPU time, as time spent descheduled by other jobs on a shared machine
 * is not the renderer's cost (wall ratios spread 1.0–2.4 there); alternating, so any cost of
 * running second falls on both sides alike.
 */
export function renderRatios(report: Report, pairs: number, stringifyFirst = false): number[] {
  const out: number[] = [];
  for (let p = 0; p < pairs; p++) {
    let oursMs: number;
    let baseMs: number;
    if ((p % 2 === 1) !== stringifyFirst) {
      baseMs = cpuMs(() => JSON.stringify(report, null, 2));
      oursMs = cpuMs(() => renderJson(report));
    } else {
      oursMs = cpuMs(() => renderJson(report));
      baseMs = cpuMs(() => JSON.stringify(report, null, 2));
    }
    out.push(oursMs / baseMs);
  }
  return out;
}
