// The real Python OSProfiler (its `osprofiler` CLI and notifier) reading what we store, and the other way round.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { runWithProfiler } from '../../src/core/current.js';
import { registerDriver, type Driver } from '../../src/drivers/driver.js';
import { createRedisDriver } from '../../src/drivers/redis/driver.js';
import { SQL_SCHEMES } from '../../src/drivers/sql/url.js';
import { createSqlDriver } from '../../src/drivers/sql/index.js';
import { createNotifier } from '../../src/notifier/create.js';
import { setNotifier } from '../../src/notifier/notifier.js';
import { Profiler } from '../../src/core/profiler.js';
import type { Notification } from '../../src/core/payload.js';
import { formatTimestamp } from '../../src/propagation/timestamp.js';
import { requireService, tcpProbe } from '../helpers/services.js';
import { python, pythonCli, pythonLacks } from '../helpers/python-peer.js';
import { mysqlAdmin, pgAdmin } from '../helpers/sql-admin.js';

const run = promisify(execFile);
registerDriver('redis', createRedisDriver);
for (const scheme of SQL_SCHEMES) registerDriver(scheme, createSqlDriver);

const cli = pythonCli;

const PG_DB = 'osprofiler_pycli';
const MY_DB = 'osprofiler_pycli';
interface Store {
  name: string;
  url: string;
  skip: string | false;
  setUp: () => Promise<void>;
  tearDown: () => Promise<void>;
}

const stores: Store[] = [
  {
    name: 'Redis',
    url: 'redis://127.0.0.1:6379/7',
    skip:
      cli.skip ||
      (await requireService('Redis on 127.0.0.1:6379', tcpProbe('127.0.0.1', 6379))).skip ||
      (await pythonLacks('redis', 'python3-redis')),
    setUp: async () => {
      const raw = new Redis({ host: '127.0.0.1', port: 6379, db: 7 });
      await raw.flushdb();
      raw.disconnect();
    },
    tearDown: async () => {
      const raw = new Redis({ host: '127.0.0.1', port: 6379, db: 7 });
      await raw.flushdb();
      raw.disconnect();
    },
  },
  {
    name: 'PostgreSQL',
    url: `postgresql://postgres@127.0.0.1:5432/${PG_DB}`,
    skip:
      cli.skip ||
      (await requireService('PostgreSQL on 127.0.0.1:5432', tcpProbe('127.0.0.1', 5432))).skip ||
      (await pythonLacks('sqlalchemy, psycopg2', 'python3-sqlalchemy python3-psycopg2')),
    setUp: async () => {
      await pgAdmin(`DROP DATABASE IF EXISTS ${PG_DB}`);
      await pgAdmin(`CREATE DATABASE ${PG_DB}`);
    },
    tearDown: async () => {
      await pgAdmin(`DROP DATABASE IF EXISTS ${PG_DB}`);
    },
  },
  {
    name: 'MariaDB',
    url: `mysql+pymysql://root@127.0.0.1:3306/${MY_DB}`,
    skip:
      cli.skip ||
      (await requireService('MariaDB/MySQL on 127.0.0.1:3306', tcpProbe('127.0.0.1', 3306))).skip ||
      (await pythonLacks('sqlalchemy, pymysql', 'python3-sqlalchemy python3-pymysql')),
    setUp: async () => {
      await mysqlAdmin(`DROP DATABASE IF EXISTS ${MY_DB}`);
      await mysqlAdmin(`CREATE DATABASE ${MY_DB}`);
    },
    tearDown: async () => {
      await mysqlAdmin(`DROP DATABASE IF EXISTS ${MY_DB}`);
    },
  },
];

/** Python's json.dumps(ensure_ascii=True) of a JSON text: non-ASCII as \uXXXX. */
const asciiOnly = (text: string): string =>
  text.replace(/[^\x00-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const PY_WRITER = `
import json, sys
from oslo_config import cfg
from osprofiler import opts, notifier, profiler
from osprofiler.drivers import base
opts.set_defaults(cfg.CONF)
conn = sys.argv[1]
notifier.set(notifier.create(conn, project="py", service="writer", host="py-host", conf=cfg.CONF))
p = profiler.init("key")
profiler.start("wsgi", info={"request": {"path": "/py", "method": "GET"}})
profiler.start("db", info={"db": {"statement": "SELECT 1", "params": {"n": "\\u00fcn\\u00ef"}}})
profiler.stop()
profiler.stop(info={"etype": "KeyError", "message": "k"})
bid = p.get_base_id()
print(json.dumps({"base_id": bid, "report": base.get_driver(conn, conf=cfg.CONF).get_report(bid)}))
`;

/**
 * A 3,000-span trace shaped to stress the tree builder's ordering: timestamps on a 1 ms grid (many
 * starts tie), children stored before their parents, stops stored out of start order, a point
 * whose parent is not in the trace, and nesting three deep.
 */
function tangledTrace(baseId: string): Notification[] {
  const t0 = Date.UTC(2026, 0, 1) * 1000;
  const at = (ms: number): string => formatTimestamp(t0 + ms * 1000);
  const id = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const common = (n: number, parent: string) => ({
    base_id: baseId,
    trace_id: id(n),
    parent_id: parent,
    project: 'node',
    service: 'api',
  });
  const starts: Notification[] = [];
  const stops: Notification[] = [];
  for (let n = 1; n <= 3000; n++) {
    // every 50th point is top-level, the ones after it alternate between it and its first child
    const top = n - ((n - 1) % 50);
    const parent = n === top ? baseId : n % 2 === 0 || n === top + 1 ? id(top) : id(top + 1);
    const orphanParent = n === 1234 ? id(999_999) : parent;
    const started = Math.floor(n / 7);
    const info = { db: { statement: `SELECT ${n}`, params: { n } }, host: `h${n % 3}` };
    starts.push({
      ...common(n, orphanParent),
      name: n % 5 === 0 ? 'rpc-start' : 'db-start',
      timestamp: at(started),
      info,
    });
    stops.push({
      ...common(n, orphanParent),
      name: n % 5 === 0 ? 'rpc-stop' : 'db-stop',
      timestamp: at(started + (n % 4)),
      info: { host: 'h' },
    });
  }
  // children before parents: each block of 50 starts is stored last-first; stops stored in reverse
  const stored: Notification[] = [];
  for (let i = 0; i < starts.length; i += 50) stored.push(...starts.slice(i, i + 50).reverse());
  return [...stored, ...stops.reverse()];
}

for (const store of stores) {
  describe(`Python OSProfiler 3.4.3 and us on ${store.name}`, { skip: store.skip }, () => {
    let driver: Driver;

    before(async () => {
      await store.setUp();
      driver = store.name === 'Redis' ? await createRedisDriver(store.url) : await createSqlDriver(store.url);
    });
    after(async () => {
      await driver?.close();
      await store.tearDown().catch(() => {});
    });

    it('the Python CLI shows the trace we wrote exactly as we report it', async () => {
      const notifier = createNotifier(store.url, {
        project: 'node',
        service: 'api',
        host: 'node-host',
        flushIntervalMs: 5,
      });
      setNotifier(notifier);
      const profiler = new Profiler('key');
      try {
        runWithProfiler(profiler, () => {
          profiler.start('wsgi', { request: { path: '/servers', method: 'GET', query: '', scheme: 'http' } });
          profiler.start('db', { db: { statement: 'SELECT * FROM t WHERE n = $1', params: ['ünï'] } });
          profiler.stop();
          profiler.start('rpc', { function: { name: 'svc.call' } });
          profiler.stop({ etype: 'TimeoutError', message: 'late' });
          profiler.stop();
        });
        await notifier.flush();
        assert.equal(notifier.stats().written, 6);
      } finally {
        setNotifier(undefined);
        await notifier.shutdown();
      }
      const baseId = profiler.getBaseId();
      const { stdout } = await run(cli.path!, ['trace', 'show', '--json', '--connection-string', store.url, baseId], {
        env: { ...process.env, COLUMNS: '80' },
      });
      const ours = await driver.reader!.getReport(baseId);
      assert.deepEqual(JSON.parse(stdout), ours);
      assert.equal(stdout.trim(), asciiOnly(JSON.stringify(ours, null, 2)));
      assert.equal(ours.children[0]!.children.length, 2);

      const list = await run(cli.path!, ['trace', 'list', '--connection-string', store.url]);
      assert.ok(list.stdout.includes(baseId), list.stdout);
    });

    it('the Python CLI shows a large trace with tied starts and children stored first exactly as we report it', async () => {
      const baseId = 'bbbbbbbb-0000-4000-8000-000000000000';
      const records = tangledTrace(baseId);
      for (let i = 0; i < records.length; i += 1000) await driver.notifyBatch(records.slice(i, i + 1000));
      const { stdout } = await run(cli.path!, ['trace', 'show', '--json', '--connection-string', store.url, baseId], {
        env: { ...process.env, COLUMNS: '80' },
        maxBuffer: 256 * 1024 * 1024,
      });
      const ours = await driver.reader!.getReport(baseId);
      assert.equal(ours.stats.db!.count + ours.stats.rpc!.count, 3000);
      assert.ok(ours.children.some((node) => node.parent_id === '00000000-0000-4000-8000-0000000f423f'));
      assert.equal(stdout.trim(), asciiOnly(JSON.stringify(ours, null, 2)));
    });

    it("we report a trace written by Python's notifier exactly as Python's driver does", async () => {
      const { stdout } = await run(python!, ['-c', PY_WRITER, store.url]);
      const { base_id: baseId, report } = JSON.parse(stdout) as { base_id: string; report: unknown };
      const ours = await driver.reader!.getReport(baseId);
      assert.equal(JSON.stringify(ours), JSON.stringify(report));
      assert.equal(ours.children[0]!.info.exception, 'KeyError');
      assert.ok((await driver.reader!.listTraces()).some((t) => t.base_id === baseId));
    });
  });
}
