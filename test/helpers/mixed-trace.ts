// A trace written by Node and Python services into one Redis: emptying that Redis, reading the trace with both CLIs, finding its points.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { TraceReader } from '../../src/drivers/driver.js';
import type { Notifier } from '../../src/notifier/create.js';
import { renderJson } from '../../src/report/json.js';
import type { Report, ReportNode } from '../../src/report/types.js';
import { pythonCli } from './python-peer.js';

const run = promisify(execFile);

/** Empties the Redis database of `url` (each live interop file has a database of its own). */
export async function flushRedis(url: string): Promise<void> {
  const redis = new Redis(url);
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

/**
 * Our report of trace `baseId` once `notifier` has stored our points; asserts that Python's
 * `osprofiler trace show --json` prints the same bytes from `store`.
 */
export async function readByBothClis(
  notifier: Notifier,
  reader: TraceReader,
  store: string,
  baseId: string,
): Promise<Report> {
  await notifier.flush();
  const ours = await reader.getReport(baseId);
  const { stdout } = await run(pythonCli.path!, ['trace', 'show', '--json', '--connection-string', store, baseId]);
  assert.equal(stdout, `${renderJson(ours)}\n`);
  return ours;
}

/** The one child of `parent` named `name` whose `info[by]` is `value`; fails, listing the children, when not exactly one. */
export function onlyChild(
  parent: { children: ReportNode[] },
  name: string,
  by: 'project' | 'service',
  value: string,
): ReportNode {
  const found = parent.children.filter((node) => node.info.name === name && node.info[by] === value);
  const seen = parent.children.map((node) => `${String(node.info.name)}@${String(node.info[by])}`);
  assert.equal(found.length, 1, `one ${name}@${value} expected among [${seen.join(', ')}]`);
  return found[0]!;
}
