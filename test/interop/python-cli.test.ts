// The real Python OSProfiler (its `osprofiler` CLI and notifier) reading what we store, and the other way round.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
import { optionalBinary, requireService, servicesRequired, tcpProbe } from '../helpers/services.js';
import { mysqlAdmin, pgAdmin } from '../helpers/sql-admin.js';

const run = promisify(execFile);
const cli = optionalBinary('osprofiler', 'apt-get install -y python3-osprofiler');
// the interpreter the CLI runs on (its shebang), for the Python-side writer
const python = cli.path === undefined ? undefined : /^#!\s*(\S+)/.exec(readFileSync(cli.path, 'utf8'))?.[1];

registerDriver('redis', createRedisDriver);
for (const scheme of SQL_SCHEMES) registerDriver(scheme, createSqlDriver);

async function pythonHas(modules: string): Promise<string | false> {
  if (python === undefined) return 'the Python osprofiler CLI is not installed';
  try {
    await run(python, ['-c', `import ${modules}`]);
    return false;
  } catch {
    const why = `Python modules ${modules} are not installed for ${python}`;
    // why: CI installs them (.ci/run); there a missing module must not quietly skip the store
    if (servicesRequired) throw new Error(`${why}, and OSPROFILER_REQUIRE_SERVICES=1 requires them.`);
    return why;
  }
}

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
      (await pythonHas('redis')),
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
      (await pythonHas('sqlalchemy, psycopg2')),
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
      (await pythonHas('sqlalchemy, pymysql')),
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
