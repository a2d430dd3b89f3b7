// Notifications must equal what Python OSProfiler 3.4.3 emits for the same operations.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture } from '../helpers/fixtures.js';
import { replay } from '../helpers/fixture-world.js';
import { runWithProfiler, start, stop } from '../../src/core/current.js';
import { Profiler } from '../../src/core/profiler.js';
import { trace, withTrace, Trace } from '../../src/core/trace.js';
import { traceClass } from '../../src/core/trace-class.js';
import type { Notification } from '../../src/core/payload.js';

interface Case {
  why: string;
  init: { hmac_key: string; base_id: string; parent_id?: string } | null;
  ids_generated: string[];
  clock_reads: string[];
  notifications: Notification[];
  caller_start_info_after_call?: Record<string, unknown>;
}
const fixtures = loadFixture<Record<string, Case[]>>('payloads.json');

function inProfiler(c: Case, fn: () => unknown): Promise<Notification[]> {
  return replay(c, () =>
    c.init === null ? fn() : runWithProfiler(new Profiler(c.init.hmac_key, c.init.base_id, c.init.parent_id), fn),
  );
}

/**
 * Python names carry the module (`sample_app.`) and render kwargs; JavaScript has neither, so
 * the expected payloads are mapped: module prefix removed, kwargs `{}`, `self` not an argument.
 */
function jsView(expected: Notification[]): Notification[] {
  const text = JSON.stringify(expected)
    .replaceAll('sample_app.', '')
    .replace(/"kwargs":"[^"]*"/g, '"kwargs":"{}"')
    .replace(/\(<\w+>,\)/g, '()')
    .replace(/\(<\w+>, ('[^']*')\)/g, '($1,)')
    .replace(/\(<\w+>, /g, '(');
  return JSON.parse(text) as Notification[];
}

class KeyError extends Error {}
class ValueError extends Error {}
class QuotaError extends Error {}

describe('payloads.json core: start/stop as Python', () => {
  const core = fixtures.core!;
  /** Replays the operations a case recorded: each -start is a start(), each -stop a stop(). */
  function operations(c: Case): () => void {
    if (c.notifications.length === 0) {
      // a stop with nothing open, or start/stop without a profiler: both must emit nothing
      return c.init === null
        ? () => {
            start('compute');
            stop();
          }
        : () => stop();
    }
    return () => {
      for (const n of c.notifications) {
        const { host: _host, ...info } = n.info;
        const hasInfo = Object.keys(info).length > 0;
        if (n.name.endsWith('-start')) start(n.name.slice(0, -'-start'.length), hasInfo ? info : undefined);
        else stop(hasInfo ? info : undefined);
      }
    };
  }
  core.forEach((c) => {
    it(c.why, async () => {
      const sent = await inProfiler(c, operations(c));
      assert.deepEqual(sent, c.notifications);
    });
  });
});

describe('payloads.json trace(): function tracing as Python (module names and kwargs mapped)', () => {
  const cases = fixtures.trace!;
  const create_server = trace('rpc', { info: { service: 'compute' } })(function create_server(
    name: string,
    flavor: string,
  ) {
    return { name, flavor };
  });
  const login = trace('rpc', { hideArgs: true })(function login(_user: string, _password: string) {
    return 'token-for-admin';
  });
  const add = trace('rpc', { hideResult: false })(function add(a: number, b: number) {
    return a + b;
  });
  const fail_quota = trace('rpc')(function fail_quota(project: string) {
    throw new QuotaError(`Quota exceeded for ${project}`);
  });
  const inner = trace('db')(function inner() {
    return 42;
  });
  const outer = trace('rpc')(function outer() {
    return inner();
  });

  it(cases[0]!.why, async () => {
    const sent = await inProfiler(cases[0]!, () => create_server('vm1', 'm1.small'));
    assert.deepEqual(sent, jsView(cases[0]!.notifications));
  });
  it(cases[1]!.why, async () => {
    const sent = await inProfiler(cases[1]!, () => {
      create_server('vm-a', 'm1.tiny');
      create_server('vm-b', 'm1.large');
    });
    assert.deepEqual(sent, jsView(cases[1]!.notifications));
  });
  it(cases[2]!.why, async () => {
    const sent = await inProfiler(cases[2]!, () => login('admin', 'secret'));
    assert.deepEqual(sent, jsView(cases[2]!.notifications));
  });
  it(cases[3]!.why, async () => {
    const sent = await inProfiler(cases[3]!, () => assert.equal(add(2, 3), 5));
    assert.deepEqual(sent, jsView(cases[3]!.notifications));
  });
  it(`${cases[5]!.why} (JavaScript: etype is the class name)`, async () => {
    let caught: unknown;
    const sent = await inProfiler(cases[5]!, () => {
      try {
        fail_quota('demo');
      } catch (error) {
        caught = error;
      }
    });
    assert.ok(caught instanceof QuotaError, 'the error reaches the caller unchanged');
    assert.deepEqual(sent, jsView(cases[5]!.notifications));
  });
  it(cases[9]!.why, async () => {
    const sent = await inProfiler(cases[9]!, () => assert.equal(outer(), 42));
    assert.deepEqual(sent, jsView(cases[9]!.notifications));
  });
  it(`${cases[10]!.why} (JavaScript: this is not an argument)`, async () => {
    @traceClass('api', { info: { layer: 'api' } })
    class ServersController {
      index(_opts?: unknown) {
        return [];
      }
      show(id: string) {
        return id;
      }
      _hidden() {
        return 'private';
      }
    }
    const sent = await inProfiler(cases[10]!, () => {
      const c = new ServersController();
      c.index();
      c.show('42');
      c._hidden();
    });
    assert.deepEqual(sent, jsView(cases[10]!.notifications));
  });
});

describe('payloads.json withTrace/Trace: scoped points as Python', () => {
  const cases = fixtures.with_trace!;
  it(cases[0]!.why, async () => {
    const { host: _host, ...info } = cases[0]!.notifications[0]!.info;
    const sent = await inProfiler(cases[0]!, () => withTrace('rpc', info, () => 'body'));
    assert.deepEqual(sent, cases[0]!.notifications);
  });
  const errorCases: Array<[number, () => Error]> = [
    [1, () => new ValueError('bad thing')],
    [2, () => new KeyError('k')],
    [6, () => new QuotaError('over')],
  ];
  for (const [index, makeError] of errorCases) {
    it(cases[index]!.why, async () => {
      const error = makeError();
      const sent = await inProfiler(cases[index]!, () =>
        assert.throws(
          () =>
            withTrace('rpc', { a: 1 }, () => {
              throw error;
            }),
          (e) => e === error,
        ),
      );
      assert.deepEqual(sent, jsView(cases[index]!.notifications));
    });
  }
  it('the Trace disposable gives the same payloads as withTrace', async () => {
    const sent = await inProfiler(cases[1]!, () => {
      const t = new Trace('rpc', { a: 1 });
      t.exit(new ValueError('bad thing'));
    });
    assert.deepEqual(sent, cases[1]!.notifications);
  });
});
