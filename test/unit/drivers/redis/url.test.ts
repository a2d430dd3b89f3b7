import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadConnectionStringError, DriverMissingError } from '../../../../src/errors.js';
import {
  buildRedisOptions,
  describeRedisTarget,
  parseRedisUrl,
  DEFAULT_SENTINEL_SERVICE_NAME,
} from '../../../../src/drivers/redis/url.js';
import {
  importIoredis,
  parseLegacyKey,
  RedisDriver,
  type RedisClientLike,
} from '../../../../src/drivers/redis/driver.js';

describe('parseRedisUrl', () => {
  it('reads host, port and the db from the path', () => {
    assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6379/5'), {
      kind: 'standalone',
      endpoints: [{ host: '127.0.0.1', port: 6379 }],
      db: 5,
      tls: false,
    });
  });

  it('defaults to localhost:6379 and db 0', () => {
    const target = parseRedisUrl('redis://');
    assert.deepEqual(target.endpoints, [{ host: 'localhost', port: 6379 }]);
    assert.equal(target.db, 0);
    assert.deepEqual(parseRedisUrl('redis://cache').endpoints, [{ host: 'cache', port: 6379 }]);
  });

  it('takes a password without a user (redis://:password@host), percent-decoded', () => {
    const target = parseRedisUrl('redis://:s%40cret:x@h:1/2');
    assert.equal(target.username, undefined);
    assert.equal(target.password, 's@cret:x');
    assert.deepEqual(target.endpoints, [{ host: 'h', port: 1 }]);
  });

  it('takes a user and a password', () => {
    const target = parseRedisUrl('redis://alice:pw@h');
    assert.equal(target.username, 'alice');
    assert.equal(target.password, 'pw');
  });

  it('lets ?db= win over the path, as redis-py does', () => {
    assert.equal(parseRedisUrl('redis://h/3?db=7').db, 7);
  });

  it('ignores a path that is not a number, as redis-py does', () => {
    assert.equal(parseRedisUrl('redis://h/abc').db, 0);
  });

  it('reads redis-py timeouts from the query, in seconds', () => {
    const target = parseRedisUrl('redis://h?socket_timeout=0.5&socket_connect_timeout=2');
    assert.equal(target.socketTimeoutMs, 500);
    assert.equal(target.connectTimeoutMs, 2000);
  });

  it('understands rediss:// as TLS and IPv6 addresses in brackets', () => {
    const target = parseRedisUrl('rediss://[::1]:6380/1');
    assert.equal(target.tls, true);
    assert.deepEqual(target.endpoints, [{ host: '::1', port: 6380 }]);
  });

  it("reads Python's redissentinel://[:password@]host:port form", () => {
    assert.deepEqual(parseRedisUrl('redissentinel://:pw@10.0.0.1:26379'), {
      kind: 'sentinel',
      endpoints: [{ host: '10.0.0.1', port: 26379 }],
      db: 0,
      tls: false,
      password: 'pw',
    });
  });

  it('reads a list of sentinels, defaulting their port to 26379', () => {
    assert.deepEqual(parseRedisUrl('redissentinel://s1:26380,s2,[fe80::1]:26381/2').endpoints, [
      { host: 's1', port: 26380 },
      { host: 's2', port: 26379 },
      { host: 'fe80::1', port: 26381 },
    ]);
  });

  it('rejects other schemes, bad ports, bad db values and host lists outside sentinel mode', () => {
    for (const bad of [
      'http://h',
      'redis://h:port',
      'redis://h:70000',
      'redis://h?db=x',
      'redis://a:1,b:2',
      'redis://h?socket_timeout=-1',
      'redis://[::1',
    ]) {
      assert.throws(() => parseRedisUrl(bad), BadConnectionStringError, bad);
    }
  });

  it('never puts the password in its error messages', () => {
    assert.throws(
      () => parseRedisUrl('redis://:topsecret@h:bad'),
      (error: Error) => !error.message.includes('topsecret'),
    );
  });
});

describe('buildRedisOptions', () => {
  it('builds a standalone client that never queues offline nor retries by itself', () => {
    const options = buildRedisOptions(parseRedisUrl('redis://:pw@h:6390/4'), { socketTimeoutMs: 100 });
    assert.equal(options.host, 'h');
    assert.equal(options.port, 6390);
    assert.equal(options.db, 4);
    assert.equal(options.password, 'pw');
    assert.equal(options.lazyConnect, true);
    assert.equal(options.enableOfflineQueue, false);
    assert.equal(options.maxRetriesPerRequest, 0);
    assert.equal(options.autoResendUnfulfilledCommands, false);
    assert.equal(options.retryStrategy(), null);
    // [profiler] socket_timeout is a sentinel setting in Python: redis:// keeps its own bounds
    assert.equal(options.socketTimeout, 10_000);
    assert.equal(options.connectTimeout, 5000);
    assert.equal(options.sentinels, undefined);
  });

  it('uses the URL timeouts for redis://', () => {
    const options = buildRedisOptions(parseRedisUrl('redis://h?socket_timeout=1'));
    assert.equal(options.socketTimeout, 1000);
    assert.equal(options.connectTimeout, 1000);
  });

  it('builds sentinel options with the default master name and 100 ms timeouts, as Python', () => {
    const options = buildRedisOptions(parseRedisUrl('redissentinel://:pw@s1:26379'));
    assert.deepEqual(options.sentinels, [{ host: 's1', port: 26379 }]);
    assert.equal(options.name, DEFAULT_SENTINEL_SERVICE_NAME);
    assert.equal(options.name, 'mymaster');
    assert.equal(options.sentinelCommandTimeout, 100);
    assert.equal(options.connectTimeout, 100);
    assert.equal(options.socketTimeout, 100);
    // the URL password authenticates to the master (redis-py's connection kwargs), not the sentinels
    assert.equal(options.password, 'pw');
    assert.equal(options.host, undefined);
    assert.equal(options.enableOfflineQueue, false);
  });

  it('takes sentinelServiceName and socketTimeoutMs from the driver options', () => {
    const options = buildRedisOptions(parseRedisUrl('redissentinel://s1:1,s2:2/3'), {
      sentinelServiceName: 'profiler-master',
      socketTimeoutMs: 250,
    });
    assert.equal(options.name, 'profiler-master');
    assert.equal(options.socketTimeout, 250);
    assert.equal(options.sentinelCommandTimeout, 250);
    assert.equal(options.db, 3);
    assert.equal(options.sentinels?.length, 2);
  });

  it('asks for TLS with rediss://', () => {
    assert.deepEqual(buildRedisOptions(parseRedisUrl('rediss://h')).tls, {});
  });

  it('describes the target without the password', () => {
    assert.equal(describeRedisTarget(parseRedisUrl('redis://:pw@127.0.0.1:6379/5')), 'Redis 127.0.0.1:6379/5');
    assert.equal(
      describeRedisTarget(parseRedisUrl('redissentinel://:pw@s1:26379,[::1]:1'), { sentinelServiceName: 'm' }),
      'Redis master "m" via sentinel s1:26379,[::1]:1 (db 0)',
    );
  });
});

describe('parseLegacyKey', () => {
  it('splits osprofiler:<base_id>_<trace_id>_<timestamp> (trace id before timestamp)', () => {
    assert.deepEqual(
      parseLegacyKey(
        'osprofiler:c0ffee00-0000-4000-8000-0000000000aa_11111111-1111-4111-8111-111111111111_2024-05-14T09:30:12.345678',
      ),
      {
        baseId: 'c0ffee00-0000-4000-8000-0000000000aa',
        traceId: '11111111-1111-4111-8111-111111111111',
        timestamp: '2024-05-14T09:30:12.345678',
      },
    );
  });

  it('returns undefined for keys of another shape', () => {
    for (const key of [
      'osprofiler_opt:x',
      'osprofiler:abc',
      'osprofiler:a_b_notatime',
      'other:a_b_2024-05-14T09:30:12',
    ]) {
      assert.equal(parseLegacyKey(key), undefined, key);
    }
  });
});

describe('importIoredis', () => {
  it('names the npm package when ioredis is not installed', async () => {
    const missing = Object.assign(new Error("Cannot find package 'ioredis'"), { code: 'ERR_MODULE_NOT_FOUND' });
    await assert.rejects(
      importIoredis('redis', async () => {
        throw missing;
      }),
      (error: Error) => error instanceof DriverMissingError && error.message.includes('npm install ioredis'),
    );
  });

  it('passes other load errors through unchanged', async () => {
    const boom = new Error('boom');
    await assert.rejects(
      importIoredis('redis', async () => {
        throw boom;
      }),
      (error) => error === boom,
    );
  });

  it('loads the real ioredis constructor', async () => {
    assert.equal(typeof (await importIoredis()), 'function');
  });
});

describe('RedisDriver with a client that cannot connect', () => {
  function deadClient(): RedisClientLike & { connects: number } {
    const client = {
      status: 'wait',
      connects: 0,
      stream: undefined,
      async connect() {
        client.connects++;
        throw new Error('connect ECONNREFUSED');
      },
      async quit() {},
      disconnect() {},
      pipeline: () => assert.fail('no pipeline while down'),
      scan: async () => assert.fail('no scan while down'),
      lrange: async () => assert.fail('no lrange while down'),
      mget: async () => assert.fail('no mget while down'),
      on: () => client,
    };
    return client as unknown as RedisClientLike & { connects: number };
  }
  const payload = {
    name: 'a-start',
    base_id: 'b',
    trace_id: 't',
    parent_id: 'b',
    timestamp: '2024-01-01T00:00:00.000000',
    info: { host: 'h' },
  };

  it('fails a batch at once and waits (backoff) before trying to connect again', async () => {
    const client = deadClient();
    const driver = new RedisDriver(client, { label: 'Redis test' });
    await assert.rejects(driver.notifyBatch([payload]), /Redis test is unreachable \(connect ECONNREFUSED\)/);
    await assert.rejects(driver.notifyBatch([payload]), /next attempt in/);
    assert.equal(client.connects, 1);
  });

  it('leaves out what cannot be encoded and writes nothing for an empty batch', async () => {
    const client = deadClient();
    const driver = new RedisDriver(client);
    const circular: Record<string, unknown> = { host: 'h' };
    circular.self = circular;
    await driver.notifyBatch([{ ...payload, info: circular }]);
    assert.equal(driver.stats.unwritable, 1);
    assert.equal(client.connects, 0);
  });

  it('rejects work after close()', async () => {
    const driver = new RedisDriver(deadClient());
    await driver.close();
    await driver.close();
    await assert.rejects(driver.getReport('b'), /closed/);
  });
});
