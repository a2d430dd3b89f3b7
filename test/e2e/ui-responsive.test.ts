// `osprofiler ui` (the built command, in its own process) stays responsive while 50 list requests,
// each a synchronous SQL aggregate over the store, arrive at once: a cheap request is not queued
// behind them all. The timing itself is measured in bench/ui-responsive.ts.
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createSqliteDriver } from '../../src/drivers/sqlite/driver.js';
import type { Notification } from '../../src/core/payload.js';
import { ensureBuilt } from '../helpers/built-bin.js';
import { startUi } from '../helpers/bin-process.js';

before(ensureBuilt);
const work = mkdtempSync(join(tmpdir(), 'osp-ui-burst-'));
after(() => rmSync(work, { recursive: true, force: true }));

const TRACES = 4000;
const traceId = (t: number): string => `99999999-0000-4000-8000-${String(t).padStart(12, '0')}`;

async function makeStore(path: string): Promise<void> {
  const driver = createSqliteDriver(`sqlite:///${path}`, { writer: 'inline', project: 'p', service: 's' });
  const rows: Notification[] = [];
  for (let t = 0; t < TRACES; t++) {
    const base = traceId(t);
    const ts = `2024-01-01T0${Math.floor(t / 3600)}:${String(Math.floor(t / 60) % 60).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}.000000`;
    const id = `99999999-1111-4000-8000-${String(t).padStart(12, '0')}`;
    rows.push({ name: 'wsgi-start', base_id: base, trace_id: id, parent_id: base, timestamp: ts, info: { host: 'h' } });
    rows.push({ name: 'wsgi-stop', base_id: base, trace_id: id, parent_id: base, timestamp: ts, info: { host: 'h' } });
  }
  await driver.notifyBatch(rows);
  await driver.close();
}

/** Starts `osprofiler ui` on the SQLite store at `path`; resolves with its port. */
async function startUiOn(path: string): Promise<{ child: ChildProcess; port: number }> {
  const ui = await startUi(['--connection-string', `sqlite:///${path}`]);
  return { child: ui.child, port: Number(new URL(ui.url).port) };
}

function get(port: number, path: string, agent: Agent): Promise<{ status: number; at: number }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, at: performance.now() }));
    })
      .on('error', reject)
      .end();
  });
}

describe('osprofiler ui under 50 concurrent list requests', () => {
  let ui: { child: ChildProcess; port: number };
  const agent = new Agent({ maxSockets: Infinity });
  before(async () => {
    const path = join(work, 'traces.db');
    await makeStore(path);
    ui = await startUiOn(path);
  });
  after(() => {
    agent.destroy();
    ui?.child.kill();
  });

  it('a cheap request sent after 50 different list requests is answered before they all are', async () => {
    // why: different limits, so no two list requests can share a result; each is a full GROUP BY.
    const lists = Array.from({ length: 50 }, (_, i) => get(ui.port, `/api/traces?limit=${100 + i}`, agent));
    const cheap = await get(ui.port, `/api/traces/${traceId(7)}`, agent);
    const done = await Promise.all(lists);
    assert.equal(cheap.status, 200);
    assert.ok(
      done.every((d) => d.status === 200),
      'every list request is answered',
    );
    const finishedBefore = done.filter((d) => d.at < cheap.at).length;
    assert.ok(
      finishedBefore < 50,
      `the cheap request waited for all 50 list requests (${finishedBefore} finished first)`,
    );
  });
});
