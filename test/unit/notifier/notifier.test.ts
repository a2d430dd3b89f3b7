import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createNotifier } from '../../../src/notifier/create.js';
import { flush, notifierStats, shutdown } from '../../../src/notifier/lifecycle.js';
import { getNotifier, notify, setNotifier } from '../../../src/notifier/notifier.js';
import { registerDriver, type Driver } from '../../../src/drivers/driver.js';
import { BadConnectionStringError } from '../../../src/errors.js';
import { setLogSink } from '../../../src/log.js';
import { runWithProfiler, start, stop } from '../../../src/core/current.js';
import { Profiler } from '../../../src/core/profiler.js';

afterEach(async () => {
  await shutdown();
  setNotifier(undefined);
});

describe('notifier', () => {
  it('notify goes to the function set with setNotifier; a throwing one never reaches the caller', () => {
    setLogSink(() => {});
    try {
      const got: string[] = [];
      setNotifier((n) => got.push(n.name));
      assert.equal(typeof getNotifier(), 'function');
      runWithProfiler(new Profiler('k'), () => {
        start('a');
        stop();
      });
      assert.deepEqual(got, ['a-start', 'a-stop']);
      setNotifier(() => {
        throw new Error('broken notifier');
      });
      assert.doesNotThrow(() =>
        notify({ name: 'x', base_id: 'b', trace_id: 't', parent_id: 'p', timestamp: 'ts', info: {} }),
      );
    } finally {
      setLogSink(undefined);
    }
  });

  it('createNotifier is cached per connection string and writes through the driver', async () => {
    const a = createNotifier('memory://cache-test', { project: 'p', service: 's' });
    assert.equal(createNotifier('memory://cache-test', { project: 'p', service: 's' }), a);
    setNotifier(a);
    await runWithProfiler(new Profiler('k', 'trace-1'), async () => {
      start('op');
      stop();
    });
    await flush();
    assert.deepEqual(notifierStats(), { queued: 0, written: 2, dropped: 0, failed: 0 });
    const report = await a.driver()!.reader!.getReport('trace-1');
    assert.equal(report.children.length, 1);
    assert.equal(report.children[0]!.info.project, 'p');
  });

  it('a bare scheme gets :// appended; an unknown scheme names the known ones', () => {
    assert.doesNotThrow(() => createNotifier('memory'));
    assert.throws(
      () => createNotifier('nosuch://x'),
      (e: unknown) => {
        assert.ok(e instanceof BadConnectionStringError);
        assert.match((e as Error).message, /Known schemes: .*memory/);
        return true;
      },
    );
    assert.throws(() => createNotifier(''), BadConnectionStringError);
  });

  it('a driver that cannot start logs one error and the notifier drops and counts', async () => {
    const logs: string[] = [];
    setLogSink((_l, m) => logs.push(m));
    try {
      registerDriver('broken', async () => {
        throw new Error('cannot connect to broken://');
      });
      const n = createNotifier('broken://host', {});
      n({ name: 'x-start', base_id: 'b', trace_id: 't', parent_id: 'p', timestamp: 'ts', info: {} });
      await n.flush();
      n({ name: 'x-stop', base_id: 'b', trace_id: 't', parent_id: 'p', timestamp: 'ts', info: {} });
      assert.equal(n.stats().dropped, 2);
      assert.equal(logs.filter((m) => m.includes('could not start')).length, 1);
      assert.doesNotMatch(logs.join('\n'), /password/);
    } finally {
      setLogSink(undefined);
    }
  });

  it('passwords in connection strings are never logged', async () => {
    const logs: string[] = [];
    setLogSink((_l, m) => logs.push(m));
    try {
      registerDriver('brokenpw', async () => {
        throw new Error('no route');
      });
      const n = createNotifier('brokenpw://user:hunter2@db.example:5432/x');
      await n.flush();
      assert.ok(logs.length > 0);
      assert.doesNotMatch(logs.join('\n'), /hunter2/);
      assert.doesNotMatch(n.connectionString, /hunter2/);
    } finally {
      setLogSink(undefined);
    }
  });

  it('shutdown flushes then closes the driver', async () => {
    let closed = false;
    const stored: number[] = [];
    registerDriver(
      'closing',
      () =>
        ({
          scheme: 'closing',
          notifyBatch: (b) => void stored.push(b.length),
          describe: () => 'closing',
          close: () => {
            closed = true;
          },
        }) satisfies Driver,
    );
    const n = createNotifier('closing://');
    n({ name: 'x-start', base_id: 'b', trace_id: 't', parent_id: 'p', timestamp: 'ts', info: {} });
    await n.shutdown();
    assert.deepEqual(stored, [1]);
    assert.equal(closed, true);
  });
});

describe('noop:// driver', () => {
  it('counts and discards, and refuses to pretend it has traces', async () => {
    const n = createNotifier('noop://');
    n({ name: 'x-start', base_id: 'b', trace_id: 't', parent_id: 'p', timestamp: 'ts', info: {} });
    await n.flush();
    assert.equal(n.stats().written, 1);
    assert.equal(n.driver()!.reader, undefined);
    assert.match(n.driver()!.unreadableReason!(), /stores nothing/);
  });
});
