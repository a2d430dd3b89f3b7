import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { get, start, stop } from '../../../src/core/current.js';
import { trace, withTrace, Trace } from '../../../src/core/trace.js';
import { traceClass, Traced, type TracedArgs } from '../../../src/core/trace-class.js';
import { OsprofilerError } from '../../../src/errors.js';
import type { Notification } from '../../../src/core/payload.js';
import { captureEachTest, inTrace } from '../../helpers/capture.js';

const sent = captureEachTest();

const fnInfo = (n: Notification) => n.info.function as Record<string, unknown>;

describe('trace()', () => {
  it('wraps a sync function: start before, stop after, result returned', () => {
    const add = trace('rpc')(function add(a: number, b: number) {
      assert.equal(sent.length, 1, 'start is sent before the body runs');
      return a + b;
    });
    assert.equal(
      inTrace(() => add(1, 2)),
      3,
    );
    assert.deepEqual(
      sent.map((n) => n.name),
      ['rpc-start', 'rpc-stop'],
    );
    assert.deepEqual(fnInfo(sent[0]!), { name: 'add', args: '(1, 2)', kwargs: '{}' });
  });

  it('wraps an async function and stops when its promise settles', async () => {
    const slow = trace('rpc')(async function slow() {
      await sleep(5);
      return 'done';
    });
    const result = await inTrace(() => slow());
    assert.equal(result, 'done');
    assert.deepEqual(
      sent.map((n) => n.name),
      ['rpc-start', 'rpc-stop'],
    );
  });

  it('an error gives etype/message on stop and reaches the caller unchanged', async () => {
    class QuotaError extends Error {}
    const boom = new QuotaError('over quota');
    const fail = trace('rpc')(async () => {
      throw boom;
    });
    await assert.rejects(
      inTrace(() => fail()),
      (e) => e === boom,
    );
    assert.equal(sent[1]!.info.etype, 'QuotaError');
    assert.equal(sent[1]!.info.message, 'over quota');
    const throwsString = trace('rpc')(() => {
      throw 'plain string';
    });
    assert.throws(
      () => inTrace(() => throwsString()),
      (e) => e === 'plain string',
    );
    assert.equal(sent[3]!.info.etype, 'string');
  });

  it('hideArgs leaves arguments out and hideResult=false adds the result', () => {
    const f = trace('rpc', { hideArgs: true, hideResult: false })(function login(_u: string) {
      return { token: 't' };
    });
    inTrace(() => f('secret-user'));
    assert.deepEqual(fnInfo(sent[0]!), { name: 'login' });
    assert.deepEqual(sent[1]!.info.function, { result: "{ token: 't' }" });
  });

  it('argument rendering is bounded and never throws', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const getterThrows = {
      get boom(): never {
        throw new Error('getter ran');
      },
    };
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    const f = trace('rpc')((..._args: unknown[]) => 'ok');
    const huge = Buffer.alloc(10_000_000);
    inTrace(() => f(circular, getterThrows, 10n, Symbol('s'), huge, 'x'.repeat(100_000), proxy));
    const args = fnInfo(sent[0]!).args as string;
    assert.ok(args.length < 1200, `args capped, got ${args.length} chars`);
    assert.match(args, /Circular/);
    assert.equal(sent.length, 2);
  });

  it('with no active trace the wrapped function just runs', () => {
    const f = trace('rpc')((x: number) => x * 2);
    assert.equal(f(21), 42);
    assert.equal(sent.length, 0);
  });

  it('keeps the wrapped function name and this', () => {
    const obj = {
      factor: 3,
      mul: trace('rpc')(function mul(this: { factor: number }, x: number) {
        return this.factor * x;
      }),
    };
    assert.equal(obj.mul.name, 'mul');
    assert.equal(
      inTrace(() => obj.mul(2)),
      6,
    );
  });

  it('allowMultipleTrace=false refuses an already traced function', () => {
    const once = trace('rpc')(() => 1);
    assert.throws(() => trace('rpc', { allowMultipleTrace: false })(once), OsprofilerError);
    assert.doesNotThrow(() => trace('rpc')(once));
  });

  it('works as a TC39 method decorator with Class.method names', async () => {
    class Api {
      @trace('api', { info: { layer: 'api' } })
      async list(limit: number) {
        return [limit];
      }
    }
    await inTrace(() => new Api().list(3));
    assert.deepEqual(fnInfo(sent[0]!), { name: 'Api.list', args: '(3,)', kwargs: '{}' });
    assert.equal(sent[0]!.info.layer, 'api');
  });

  it('100 concurrent siblings under one parent each report that parent', async () => {
    const child = trace('db')(async (i: number) => {
      await sleep(Math.random() * 10);
      return i;
    });
    const parent = trace('rpc')(async () => Promise.all(Array.from({ length: 100 }, (_, i) => child(i))));
    await inTrace(() => parent());
    const rpc = sent.find((n) => n.name === 'rpc-start')!;
    const starts = sent.filter((n) => n.name === 'db-start');
    const stops = sent.filter((n) => n.name === 'db-stop');
    assert.equal(starts.length, 100);
    assert.equal(stops.length, 100);
    assert.ok(starts.every((n) => n.parent_id === rpc.trace_id));
    assert.ok(stops.every((n) => n.parent_id === rpc.trace_id));
    assert.deepEqual(new Set(stops.map((n) => n.trace_id)), new Set(starts.map((n) => n.trace_id)));
    const rpcStop = sent.find((n) => n.name === 'rpc-stop')!;
    assert.equal(rpcStop.trace_id, rpc.trace_id, 'the parent closes its own point');
    assert.equal(sent.at(-1), rpcStop);
  });

  it('a thenable that is not a Promise is returned as is', () => {
    const builder = { then: () => assert.fail('must not be awaited'), where: () => builder };
    const f = trace('db')(() => builder);
    assert.equal(
      inTrace(() => f()),
      builder,
    );
    assert.equal(sent.length, 2);
  });
});

describe('withTrace and Trace', () => {
  it('withTrace nests under the current point and restores it', async () => {
    await inTrace(async () => {
      start('outer');
      const outerId = get()!.getId();
      await withTrace('inner', { q: 1 }, async () => {
        assert.notEqual(get()!.getId(), outerId);
        await sleep(1);
      });
      assert.equal(get()!.getId(), outerId);
      stop();
    });
    assert.deepEqual(
      sent.map((n) => n.name),
      ['outer-start', 'inner-start', 'inner-stop', 'outer-stop'],
    );
    assert.equal(sent[1]!.parent_id, sent[0]!.trace_id);
  });

  it('Trace works with using and records success', () => {
    inTrace(() => {
      using _t = new Trace('block', { a: 1 });
      assert.equal(sent.length, 1);
    });
    assert.deepEqual(
      sent.map((n) => n.name),
      ['block-start', 'block-stop'],
    );
    assert.equal(sent[1]!.info.etype, undefined);
  });

  it('Trace.exit(error) records the failure once', () => {
    inTrace(() => {
      const t = new Trace('block');
      t.exit(new TypeError('bad'));
      t.exit();
    });
    assert.equal(sent.length, 2);
    assert.equal(sent[1]!.info.etype, 'TypeError');
  });
});

describe('traceClass and Traced', () => {
  it('traces public methods only, private with tracePrivate, statics with traceStaticMethods', () => {
    class Svc {
      pub() {
        return this._priv();
      }
      _priv() {
        return 1;
      }
      __dunder() {
        return 2;
      }
      static util() {
        return 3;
      }
      get value() {
        return 4;
      }
    }
    class Svc2 extends Svc {}
    traceClass('svc')(Svc);
    inTrace(() => {
      const s = new Svc2();
      s.pub();
      s.__dunder();
      Svc.util();
      void s.value;
    });
    assert.deepEqual(sent.map((n) => fnInfo(n)?.name).filter(Boolean), ['Svc2.pub']);
    sent.length = 0;
    class All {
      _priv() {
        return 1;
      }
      static util() {
        return 3;
      }
    }
    traceClass('all', { tracePrivate: true, traceStaticMethods: true, hideArgs: true })(All);
    inTrace(() => {
      new All()._priv();
      All.util();
    });
    assert.deepEqual(
      sent.filter((n) => n.name.endsWith('-start')).map((n) => fnInfo(n).name),
      ['All._priv', 'All.util'],
    );
  });

  it('Traced subclasses get their methods traced with their own traceArgs', () => {
    class Manager extends Traced {
      static override traceArgs: TracedArgs = { name: 'rpc', hideResult: false };
      build(id: string) {
        return `built-${id}`;
      }
    }
    class Child extends Manager {
      static override traceArgs = { name: 'child-rpc' };
      childOp() {
        return 1;
      }
    }
    inTrace(() => {
      new Manager().build('i-1');
      const c = new Child();
      c.childOp();
      c.build('i-2');
    });
    assert.deepEqual(
      sent.map((n) => n.name),
      ['rpc-start', 'rpc-stop', 'child-rpc-start', 'child-rpc-stop', 'rpc-start', 'rpc-stop'],
    );
    assert.deepEqual(sent[1]!.info.function, { result: "'built-i-1'" });
    assert.equal(fnInfo(sent[4]!).name, 'Child.build');
  });

  it('a Traced subclass without a name is a clear error', () => {
    class Bad extends Traced {
      static override traceArgs = { hideArgs: true } as never;
      op() {}
    }
    assert.throws(() => new Bad(), /traceArgs has no "name"/);
  });

  describe('inherited methods (Python trace_cls walks every member)', () => {
    const startNames = () => sent.filter((n) => n.name.endsWith('-start')).map((n) => fnInfo(n).name);

    it('traceClass(name)(Child) traces inherited public methods on Child, leaving the base untouched', () => {
      class Grand {
        ping() {
          return 'pong';
        }
      }
      class Base extends Grand {
        list() {
          return [1];
        }
        _helper() {
          return 0;
        }
        get size() {
          return 1;
        }
      }
      class Child extends Base {
        own() {
          return this.list();
        }
      }
      const baseList = Base.prototype.list;
      traceClass('api')(Child);
      assert.equal(Base.prototype.list, baseList, 'the base class keeps its own method');
      assert.ok(Object.hasOwn(Child.prototype, 'list'), 'wrapped on the decorated class');
      inTrace(() => {
        const c = new Child();
        assert.equal(c.ping(), 'pong');
        c.own();
        c._helper();
        void c.size;
        new Base().list();
        new Grand().ping();
      });
      assert.deepEqual(startNames(), ['Child.ping', 'Child.own', 'Child.list']);
    });

    it('the nearest definition wins, and an inherited method already traced is not traced twice', () => {
      class Base {
        list() {
          return 'base';
        }
        show() {
          return 'base';
        }
      }
      traceClass('base')(Base);
      class Child extends Base {
        override list() {
          return 'child';
        }
      }
      traceClass('api')(Child);
      inTrace(() => {
        assert.equal(new Child().list(), 'child');
        new Child().show();
      });
      assert.deepEqual(
        sent.filter((n) => n.name.endsWith('-start')).map((n) => `${n.name} ${fnInfo(n).name}`),
        ['api-start Child.list', 'base-start Child.show'],
      );
    });

    it("the runtime's classes end the walk (a subclass of Map or Error gets no traced get/toString)", () => {
      class Registry extends Map<string, number> {
        lookup(key: string) {
          return this.get(key);
        }
      }
      traceClass('api')(Registry);
      inTrace(() => new Registry([['a', 1]]).lookup('a'));
      assert.deepEqual(startNames(), ['Registry.lookup']);
    });

    it('traceInherited: false keeps to the class its own methods', () => {
      class Base {
        list() {
          return 1;
        }
      }
      class Child extends Base {
        own() {
          return 2;
        }
      }
      traceClass('api', { traceInherited: false })(Child);
      inTrace(() => {
        const c = new Child();
        c.list();
        c.own();
      });
      assert.deepEqual(startNames(), ['Child.own']);
    });

    it('traceStaticMethods (or Python-style traceClassMethods) traces inherited statics too', () => {
      class Base {
        static create() {
          return 1;
        }
      }
      class Child extends Base {
        static build() {
          return 2;
        }
      }
      class Other extends Base {}
      traceClass('api', { traceStaticMethods: true })(Child);
      traceClass('api', { traceClassMethods: true })(Other);
      inTrace(() => {
        Child.create();
        Child.build();
        Base.create();
        Other.create();
      });
      assert.deepEqual(startNames(), ['Child.create', 'Child.build', 'Other.create']);
      assert.ok(!Object.hasOwn(Base, 'create') || Base.create.name === 'create');
    });

    it('a Traced subclass keeps inherited methods traced once, under the traceArgs of the class that defines them', () => {
      class Base extends Traced {
        static override traceArgs: TracedArgs = { name: 'base' };
        list() {
          return 1;
        }
      }
      class Child extends Base {
        static override traceArgs: TracedArgs = { name: 'child' };
        own() {
          return this.list();
        }
      }
      inTrace(() => {
        new Child().own();
        new Base().list();
      });
      assert.deepEqual(
        sent.filter((n) => n.name.endsWith('-start')).map((n) => `${n.name} ${fnInfo(n).name}`),
        ['child-start Child.own', 'base-start Child.list', 'base-start Base.list'],
      );
    });
  });
});
