// fixtures/storage/redis.json in a real Redis (db 6): Python's keys read by our driver, our writes in Python's layout.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createRedisDriver, type RedisDriver } from '../../src/drivers/redis/driver.js';
import type { Notification } from '../../src/core/payload.js';
import { loadFixture } from '../helpers/fixtures.js';
import { cleanOsprofilerKeys, closeAndClean, redisProbe } from '../helpers/redis.js';
import { requireService } from '../helpers/services.js';

const DB = 6;
const REDIS_URL = `redis://127.0.0.1:6379/${DB}`;
const fixture = loadFixture('storage/redis.json');
const T1 = 'c0ffee00-0000-4000-8000-000000000001';
const T2 = 'c0ffee00-0000-4000-8000-000000000002';
const LEGACY = 'c0ffee00-0000-4000-8000-0000000000aa';
const SINGLE = 'c0ffee00-0000-4000-8000-0000000000bb';

interface StoredKey {
  key: string;
  type: 'string' | 'list';
  ttl: number;
  value?: string;
  values?: string[];
}

const gate = await requireService('Redis on 127.0.0.1:6379', redisProbe(6379));

/** Writes keys exactly as the Python driver left them (lists keep their order: newest first). */
async function load(raw: Redis, keys: StoredKey[]): Promise<void> {
  for (const k of keys) {
    if (k.type === 'list') await raw.rpush(k.key, ...k.values!);
    else await raw.set(k.key, k.value!);
  }
}

/** The JSON text re-serialized: equal for two texts that hold the same values in the same key order. */
const canonical = (text: string): string => JSON.stringify(JSON.parse(text));

describe('Redis layout interop with Python OSProfiler 3.4.3', { skip: gate.skip }, () => {
  let raw: Redis;
  let driver: RedisDriver;

  before(async () => {
    raw = new Redis({ host: '127.0.0.1', port: 6379, db: DB });
    driver = await createRedisDriver(REDIS_URL, {});
  });
  after(() => closeAndClean(driver, raw));
  beforeEach(() => cleanOsprofilerKeys(raw));

  describe("reading Python's keys", () => {
    beforeEach(() => load(raw, fixture.keys_final));

    it("rebuilds Python's report of a list-layout trace key for key, in the same key order", async () => {
      const report = await driver.getReport(T1);
      assert.equal(JSON.stringify(report), JSON.stringify(fixture['get_report_3.4.3'].report));
      assert.equal(fixture['get_report_3.4.3'].base_id, T1);
    });

    it("rebuilds Python's report of a legacy one-key-per-notification trace", async () => {
      assert.deepEqual(await driver.getReport(LEGACY), fixture['get_report_legacy_3.4.3'].report);
    });

    it('lists every trace of both layouts by its earliest record (Python: the second newest)', async () => {
      const earliest: Record<string, string> = {
        [T1]: '2024-05-14T09:30:12.345678',
        [T2]: '2024-05-14T09:31:00.000100',
        [LEGACY]: '2024-05-14T09:30:12.345678',
      };
      assert.deepEqual(
        await driver.listTraces(),
        [T1, LEGACY, T2].map((id) => ({ base_id: id, timestamp: earliest[id] })),
      );
      // Python's answer differs only for T1, where it reads the second-newest record instead
      const python = fixture['list_traces_3.4.3_default_fields'] as { base_id: string; timestamp: string }[];
      assert.deepEqual(
        python.filter((t) => t.base_id !== T1),
        [T2, LEGACY].map((id) => ({ base_id: id, timestamp: earliest[id] })),
      );
    });

    it('projects the requested fields of that earliest record', async () => {
      const { fields } = fixture['list_traces_3.4.3_fields'] as { fields: string[] };
      const listed = await driver.listTraces(fields);
      assert.deepEqual(listed, [
        { base_id: T1, timestamp: '2024-05-14T09:30:12.345678', name: 'wsgi-start', service: 'api' },
        { base_id: LEGACY, timestamp: '2024-05-14T09:30:12.345678', name: 'wsgi-start', service: 'public' },
        { base_id: T2, timestamp: '2024-05-14T09:31:00.000100', name: 'rpc-start', service: 'api' },
      ]);
    });

    it('lists a trace with a single record (3.4.3 raises TypeError there, head leaves it out)', async () => {
      const one = JSON.parse(fixture.keys_final.find((k: StoredKey) => k.key === `osprofiler_opt:${T2}`).values[1]);
      await raw.lpush(
        `osprofiler_opt:${SINGLE}`,
        JSON.stringify({ ...one, base_id: SINGLE, timestamp: '2024-05-14T09:32:00.000000' }),
      );
      assert.equal(fixture.list_traces_with_single_notification_trace['3.4.3'].type, 'TypeError');
      const listed = await driver.listTraces();
      assert.deepEqual(listed.at(-1), { base_id: SINGLE, timestamp: '2024-05-14T09:32:00.000000' });
      assert.equal(listed.length, 4);
    });

    it("lists Python's error traces as stored", async () => {
      assert.deepEqual(await driver.listErrorTraces(), fixture['list_error_traces_3.4.3']);
    });
  });

  describe('writing', () => {
    it("leaves exactly Python's keys after the fixture's notifications", async () => {
      const api = await createRedisDriver(REDIS_URL, { project: 'nova', service: 'api', filterErrorTrace: true });
      const compute = await createRedisDriver(REDIS_URL, {
        project: 'nova',
        service: 'compute',
        filterErrorTrace: true,
      });
      try {
        const sent = fixture.notifications_sent_in_order as { driver: string; payload: Notification }[];
        await api.notifyBatch(sent.filter((s) => s.driver === 'nova/api').map((s) => s.payload));
        await compute.notifyBatch(sent.filter((s) => s.driver === 'nova/compute').map((s) => s.payload));
      } finally {
        await api.close();
        await compute.close();
      }
      const expected = fixture.keys_after_writes as StoredKey[];
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await raw.scan(cursor, 'MATCH', 'osprofiler*');
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      assert.deepEqual(keys.sort(), expected.map((k) => k.key).sort());
      for (const k of expected) {
        assert.equal(await raw.type(k.key), k.type, k.key);
        assert.equal(await raw.ttl(k.key), k.ttl, k.key);
        if (k.type === 'string') {
          // the error marker is byte-for-byte Python's json.dumps text
          assert.equal(await raw.get(k.key), k.value, k.key);
        } else {
          // records: same values, same key order, same list order (JSON spacing may differ)
          const ours = await raw.lrange(k.key, 0, -1);
          assert.deepEqual(ours.map(canonical), k.values!.map(canonical), k.key);
        }
      }
      // and Python's reader would see what it saw in its own data
      assert.equal(JSON.stringify(await driver.getReport(T1)), JSON.stringify(fixture['get_report_3.4.3'].report));
    });
  });
});
