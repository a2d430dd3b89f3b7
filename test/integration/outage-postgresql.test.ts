// PostgreSQL cut for 10 s under steady traced load (a TCP proxy on a spare port in front of the shared server), then restored.
import { after, before, describe, it } from 'node:test';
import { requireService } from '../helpers/services.js';
import { pgAdmin } from '../helpers/sql-admin.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { runOutage } from '../helpers/outage.js';
import { assertCleanOutage } from '../helpers/outage-asserts.js';

// why: a second PostgreSQL server needs initdb as another user; a proxy that the test cuts gives
// the driver the same view (refused connections, reset sockets) and never touches the shared server.
const DB = `osp_outage_${process.pid}_${Date.now()}`;

const gate = await requireService('PostgreSQL on 127.0.0.1:5432', () => pgAdmin('SELECT 1'));

describe('a PostgreSQL outage under load', { skip: gate.skip }, () => {
  let proxy: TcpProxy;
  before(async () => {
    await pgAdmin(`CREATE DATABASE ${DB}`);
    proxy = await tcpProxy(5432);
  });
  after(async () => {
    await proxy?.close();
    await pgAdmin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  });

  it('every request succeeds, memory stays bounded, losses are counted, writing resumes within 2 s', async (t) => {
    const figures = await runOutage({
      url: `postgresql://postgres@127.0.0.1:${proxy.port}/${DB}`,
      options: { maxQueueSize: 2000 },
      stop: () => proxy.stop(),
      start: () => proxy.start(),
      stored: async () => Number((await pgAdmin('SELECT COUNT(*) AS n FROM data', DB))[0]!.n),
    });
    t.diagnostic(JSON.stringify(figures, (k, v) => (k === 'stderr' ? undefined : v)));
    assertCleanOutage(figures, /writing \d+ notifications to postgresql:\/\/postgres@127\.0\.0\.1:\d+\/\w+ failed/);
  });
});
