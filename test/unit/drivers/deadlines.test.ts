// Every driver against a store that accepts connections and never answers: each call settles with a clear error within its deadline.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import '../../../src/drivers/builtin.js';
import { createDriver, type Driver, type DriverOptions } from '../../../src/drivers/driver.js';
import { createLogInsightDriver } from '../../../src/drivers/loginsight/driver.js';
import type { Notification } from '../../../src/core/payload.js';
import { setLogSink } from '../../../src/log.js';
import { freePort } from '../../helpers/services.js';
import { settleWithin, silentServer, type SilentServer } from '../../helpers/silent-server.js';

const DEADLINE_MS = 300;
const OPTIONS: DriverOptions = {
  connectTimeoutMs: DEADLINE_MS,
  writeTimeoutMs: DEADLINE_MS,
  readTimeoutMs: DEADLINE_MS,
};
// why: a hang guard, not a timing assertion: a call that has not settled by then never would.
const GUARD_MS = 4 * DEADLINE_MS + 2000;
const BASE = 'c0ffee00-0000-4000-8000-00000000d001';
// why: a start and its stop, so span-based drivers (otlp, jaeger) have a whole span to send.
const batch: Notification[] = ['w-start', 'w-stop'].map((name) => ({
  name,
  base_id: BASE,
  trace_id: 'c0ffee00-0000-4000-8000-00000000d002',
  parent_id: BASE,
  timestamp: '2026-01-01T00:00:00.000000',
  info: { host: 'h' },
}));

let silent: SilentServer;
before(async () => {
  silent = await silentServer();
  setLogSink(() => {});
});
after(async () => {
  setLogSink(undefined);
  await silent.close();
});

/** The call settles (rejects) before the guard, with an error matching `pattern`. */
async function assertFailsInTime(call: () => Promise<unknown> | unknown, pattern: RegExp): Promise<void> {
  const outcome = await settleWithin(Promise.resolve().then(call), GUARD_MS);
  assert.ok(outcome.settled, `still waiting after ${GUARD_MS} ms`);
  assert.ok(outcome.error !== undefined, `it fails (it resolved: ${JSON.stringify(outcome.value)})`);
  assert.match(String((outcome.error as Error).message), pattern);
}

interface Case {
  name: string;
  url: (port: number) => string;
  options?: (port: number) => DriverOptions;
  /** Whether the store can be read back (otlp/jaeger are write-only). */
  reads?: boolean;
  /** Creates the driver another way than createDriver(url, options). */
  create?: (port: number, options: DriverOptions) => Promise<Driver>;
}

const cases: Case[] = [
  { name: 'redis', url: (p) => `redis://127.0.0.1:${p}/0` },
  { name: 'postgresql', url: (p) => `postgresql://osp@127.0.0.1:${p}/test` },
  { name: 'mysql', url: (p) => `mysql://root@127.0.0.1:${p}/test` },
  { name: 'mongodb', url: (p) => `mongodb://127.0.0.1:${p}/` },
  { name: 'elasticsearch', url: (p) => `elasticsearch://127.0.0.1:${p}` },
  {
    name: 'messaging',
    url: () => 'messaging://',
    options: (p) => ({ transportUrl: `amqp://guest:guest@127.0.0.1:${p}/` }),
  },
  {
    name: 'loginsight',
    url: (p) => `loginsight://u:p@127.0.0.1:${p}`,
    // why: Log Insight ingests on port 9000 and answers queries on 9543; both go to the silent listener here.
    create: async (p, options) =>
      createLogInsightDriver(`loginsight://u:p@127.0.0.1`, options, {
        apiBase: `http://127.0.0.1:${p}`,
        ingestBase: `http://127.0.0.1:${p}`,
      }),
  },
  { name: 'otlp', url: (p) => `otlp://127.0.0.1:${p}`, reads: false },
  { name: 'jaeger', url: (p) => `jaeger://127.0.0.1:${p}`, reads: false },
];

const TIMEOUT = /did not answer within|timed? ?out|timeout/i;

describe('drivers against a listener that never answers', () => {
  for (const c of cases) {
    describe(c.name, () => {
      let driver: Driver;
      before(async () => {
        const options = { ...OPTIONS, ...c.options?.(silent.port) };
        const outcome = await settleWithin(
          c.create?.(silent.port, options) ?? createDriver(c.url(silent.port), options),
          // why: the first load of a client library (@elastic/elasticsearch, mongodb) can take seconds on a busy machine.
          GUARD_MS + 20_000,
        );
        assert.ok(outcome.settled, 'the driver is created in time');
        driver = outcome.value as Driver;
      });
      after(async () => {
        await settleWithin(
          Promise.resolve().then(() => driver?.close()),
          GUARD_MS,
        );
      });

      it('a batch write fails with a timeout within its deadline', async () => {
        await assertFailsInTime(() => driver.notifyBatch(batch), TIMEOUT);
      });
      if (c.reads !== false) {
        it('a read fails with a timeout within its deadline', async () => {
          await assertFailsInTime(() => driver.reader!.getReport(BASE), TIMEOUT);
        });
        it('connect() fails with a timeout within its deadline', async () => {
          assert.equal(typeof driver.connect, 'function');
          await assertFailsInTime(() => driver.connect!(), TIMEOUT);
        });
      }
    });
  }
});

describe('drivers against a closed port', () => {
  for (const name of ['mongodb', 'elasticsearch'] as const) {
    it(`${name}: connect() fails fast`, async () => {
      const port = await freePort();
      const url = name === 'mongodb' ? `mongodb://127.0.0.1:${port}/` : `elasticsearch://127.0.0.1:${port}`;
      const created = await settleWithin(createDriver(url, OPTIONS), GUARD_MS + 20_000);
      assert.ok(created.settled);
      const driver = created.value as Driver;
      try {
        await assertFailsInTime(() => driver.connect!(), /ECONNREFUSED|did not answer|refused|unreachable|reach/i);
        await assertFailsInTime(
          () => driver.notifyBatch(batch),
          /ECONNREFUSED|did not answer|refused|unreachable|reach/i,
        );
      } finally {
        await driver.close();
      }
    });
  }
});
