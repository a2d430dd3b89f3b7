// The trace browser's listener over a store that cannot summarise traces (memory://, like Redis or
// MongoDB): the list falls back to ids and start times, the error list to listErrorTraces().
import { strict as assert } from 'node:assert';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createUiListener, LOOPBACK_HOSTS } from '../../../src/browser/server.js';
import { MemoryDriver } from '../../../src/drivers/memory.js';
import type { TraceReader } from '../../../src/drivers/driver.js';
import type { Notification } from '../../../src/core/payload.js';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';

function point(baseId: string, name: string, second: number, info: Record<string, unknown> = {}): Notification {
  return {
    name,
    base_id: baseId,
    trace_id: `${baseId.slice(0, 8)}-1111-4000-8000-000000000001`,
    parent_id: baseId,
    timestamp: `2024-01-01T00:00:0${second}.000000`,
    info: { host: 'h', ...info },
  };
}

function get(server: Server, path: string): Promise<{ status: number; body: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('trace browser over a store without trace overviews', () => {
  const driver = new MemoryDriver({ filterErrorTrace: true, project: 'p', service: 's' });
  driver.notifyBatch([point(A, 'wsgi-start', 1), point(A, 'wsgi-stop', 2)]);
  driver.notifyBatch([point(B, 'db-start', 3), point(B, 'db-stop', 4, { etype: 'OperationalError' })]);
  let failing = false;
  const store = {
    description: 'memory store',
    reader: async (): Promise<TraceReader> => {
      if (failing) throw new Error('connection refused');
      return driver;
    },
  };
  const errors: unknown[] = [];
  const server = createServer(
    createUiListener({ store, allowedHosts: LOOPBACK_HOSTS, onError: (e) => errors.push(e) }),
  );
  before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('lists id and start time, newest first, with the store’s count', async () => {
    const r = await get(server, '/');
    assert.equal(r.status, 200);
    assert.deepEqual(
      [...r.body.matchAll(/href="\/traces\/([^"]+)"/g)].map((m) => m[1]),
      [B, A],
    );
    assert.match(r.body, /<th>Trace<\/th><th>Started \(UTC\)<\/th><\/tr>/, 'no overview columns it cannot fill');
    assert.match(r.body, /2 traces shown, newest first \(2 in the store\)/);
  });

  it('lists error traces from listErrorTraces(), and filters by id', async () => {
    const errorsOnly = await get(server, '/?errors=1');
    assert.deepEqual(
      [...errorsOnly.body.matchAll(/href="\/traces\/([^"]+)"/g)].map((m) => m[1]),
      [B],
    );
    const byId = await get(server, `/?q=${A.slice(0, 8)}`);
    assert.deepEqual(
      [...byId.body.matchAll(/href="\/traces\/([^"]+)"/g)].map((m) => m[1]),
      [A],
    );
  });

  it('serves the report of a trace, and a 502 page naming the store when it cannot be read', async () => {
    const report = JSON.parse((await get(server, `/api/traces/${B}`)).body) as { children: unknown[] };
    assert.equal(report.children.length, 1);
    failing = true;
    try {
      const r = await get(server, '/');
      assert.equal(r.status, 502);
      assert.match(r.body, /memory store: connection refused/);
      assert.equal(errors.length, 1);
    } finally {
      failing = false;
    }
  });
});
