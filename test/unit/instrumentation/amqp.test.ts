import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { enableWebTrace, resetWebTrace } from '../../../src/config/web-trace.js';
import { currentProfiler } from '../../../src/core/context.js';
import { runWithProfiler } from '../../../src/core/current.js';
import { readTraceHeaders } from '../../../src/propagation/headers.js';
import { Profiler } from '../../../src/core/profiler.js';
import { instrumentAmqp, type AmqpMessageLike } from '../../../src/instrumentation/amqp.js';
import { captureEachTest } from '../../helpers/capture.js';

const BASE = 'c0ffee00-0000-4000-8000-000000000001';
const PARENT = '11111111-1111-4111-8111-111111111111';

interface Published {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: any;
}

/** Mimics amqplib's Channel: sendToQueue delegates to this.publish, as amqplib does. */
class FakeChannel {
  published: Published[] = [];
  consumers: Array<(message: AmqpMessageLike | null) => unknown> = [];
  failNext: Error | undefined;
  publish(exchange: string, routingKey: string, content: Buffer, options?: any): boolean {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    this.published.push({ exchange, routingKey, content, options });
    return true;
  }
  sendToQueue(queue: string, content: Buffer, options?: any): boolean {
    return this.publish('', queue, content, options);
  }
  async consume(
    _queue: string,
    onMessage: (message: AmqpMessageLike | null) => void,
  ): Promise<{ consumerTag: string }> {
    this.consumers.push(onMessage);
    return { consumerTag: 'ctag' };
  }
  deliver(message: AmqpMessageLike | null): unknown {
    return this.consumers[0]!(message);
  }
}

/** Mimics amqplib's ConfirmChannel: a callback per publish, called at the broker's confirm. */
class FakeConfirmChannel extends FakeChannel {
  pending: Array<(error: unknown, ok: unknown) => void> = [];
  override publish(exchange: string, routingKey: string, content: Buffer, options?: any, cb?: any): boolean {
    if (cb) this.pending.push(cb);
    return super.publish(exchange, routingKey, content, options);
  }
  override sendToQueue(queue: string, content: Buffer, options?: any, cb?: any): boolean {
    return this.publish('', queue, content, options, cb);
  }
}

const sent = captureEachTest(resetWebTrace);

const inTrace = <R>(fn: () => R): R => runWithProfiler(new Profiler('secret', BASE, PARENT), fn);
const names = () => sent.map((n) => n.name);

function message(headers: Record<string, unknown> | undefined, body = '{}'): AmqpMessageLike {
  return { content: Buffer.from(body), fields: { exchange: 'ex', routingKey: 'rk' }, properties: { headers } };
}

describe('instrumentAmqp(): publishing', () => {
  it('outside a trace passes the call through untouched and records nothing', () => {
    const channel = instrumentAmqp(new FakeChannel());
    const options = { persistent: true };
    assert.equal(channel.publish('ex', 'rk', Buffer.from('x'), options), true);
    assert.equal(channel.published[0]!.options, options);
    assert.deepEqual(sent, []);
  });

  it('in a trace opens an rpc span and signs headers whose parent is that span', () => {
    const channel = instrumentAmqp(new FakeChannel());
    const options = { persistent: true, headers: { app: 'x' } };
    inTrace(() => channel.publish('nova', 'compute.host1', Buffer.from('x'), options));
    assert.deepEqual(names(), ['rpc-start', 'rpc-stop']);
    const start = sent[0]!;
    assert.deepEqual(start.info, { exchange: 'nova', routing_key: 'compute.host1', host: start.info.host });
    assert.equal(start.parent_id, PARENT);
    const { options: used } = channel.published[0]!;
    assert.notEqual(used, options, 'the caller’s options object is copied');
    assert.deepEqual(options, { persistent: true, headers: { app: 'x' } });
    assert.equal(used.persistent, true);
    assert.equal(used.headers.app, 'x');
    assert.deepEqual(readTraceHeaders(used.headers, ['secret']), {
      base_id: BASE,
      parent_id: start.trace_id,
      hmac_key: 'secret',
    });
  });

  it('sendToQueue opens one span (not two through amqplib’s inner publish)', () => {
    const channel = instrumentAmqp(new FakeChannel());
    inTrace(() => channel.sendToQueue('jobs', Buffer.from('x')));
    assert.deepEqual(names(), ['rpc-start', 'rpc-stop']);
    assert.equal(sent[0]!.info.exchange, '');
    assert.equal(sent[0]!.info.routing_key, 'jobs');
    assert.ok(channel.published[0]!.options.headers['X-Trace-Info']);
  });

  it('instrumenting twice does not double-wrap', () => {
    const channel = new FakeChannel();
    assert.equal(instrumentAmqp(instrumentAmqp(channel)), channel);
    inTrace(() => channel.publish('ex', 'rk', Buffer.from('x')));
    assert.deepEqual(names(), ['rpc-start', 'rpc-stop']);
    assert.equal(Object.keys(channel.published[0]!.options.headers).length, 2);
  });

  it('uses the configured span name', () => {
    const channel = instrumentAmqp(new FakeChannel(), { name: 'amqp' });
    inTrace(() => channel.publish('ex', 'rk', Buffer.from('x')));
    assert.deepEqual(names(), ['amqp-start', 'amqp-stop']);
  });

  it('a publish that throws records the error and rethrows it unchanged', () => {
    const channel = instrumentAmqp(new FakeChannel());
    const boom = new TypeError('channel closed');
    channel.failNext = boom;
    assert.throws(
      () => inTrace(() => channel.publish('ex', 'rk', Buffer.from('x'))),
      (e) => e === boom,
    );
    assert.deepEqual(names(), ['rpc-start', 'rpc-stop']);
    assert.equal(sent[1]!.info.etype, 'TypeError');
  });

  it('with a ConfirmChannel callback the span ends at the confirm, and the callback runs in the caller’s trace', () => {
    const channel = instrumentAmqp(new FakeConfirmChannel());
    const seen: unknown[] = [];
    inTrace(() => {
      channel.publish('ex', 'rk', Buffer.from('x'), {}, (error: unknown) =>
        seen.push(error, currentProfiler()?.getId()),
      );
      channel.sendToQueue('q', Buffer.from('y'), {}, () => {});
    });
    assert.deepEqual(names(), ['rpc-start', 'rpc-start']);
    channel.pending[0]!(null, {});
    channel.pending[1]!(new Error('nacked'), undefined);
    assert.deepEqual(names(), ['rpc-start', 'rpc-start', 'rpc-stop', 'rpc-stop']);
    assert.equal(sent[3]!.info.etype, 'Error');
    assert.deepEqual(seen, [null, PARENT]);
  });
});

describe('instrumentAmqp(): consuming', () => {
  function publishedHeaders(): Record<string, unknown> {
    const publisher = instrumentAmqp(new FakeChannel());
    inTrace(() => publisher.publish('ex', 'rk', Buffer.from('{}')));
    return publisher.published[0]!.options.headers;
  }

  it('runs the callback in the message’s trace, inside a span that is a child of the publish span', () => {
    const headers = publishedHeaders();
    const publishSpan = sent[0]!;
    sent.length = 0;
    const channel = instrumentAmqp(new FakeChannel(), { hmacKeys: 'other, secret' });
    void channel.consume('q', () => {
      assert.equal(currentProfiler()?.getBaseId(), BASE);
      assert.equal(sent.length, 1, 'the span is open while the callback runs');
    });
    channel.deliver(message(headers));
    assert.deepEqual(names(), ['rpc-start', 'rpc-stop']);
    assert.equal(sent[0]!.parent_id, publishSpan.trace_id);
    assert.equal(sent[0]!.base_id, BASE);
    assert.deepEqual(sent[0]!.info, { exchange: 'ex', routing_key: 'rk', queue: 'q', host: sent[0]!.info.host });
  });

  it('awaits a returned promise before stopping the span', async () => {
    const headers = publishedHeaders();
    sent.length = 0;
    enableWebTrace('secret'); // the default keys: those of enableWebTrace()/initFromConf()
    const channel = instrumentAmqp(new FakeChannel(), { consumeName: 'handle' });
    void channel.consume('q', async () => {
      await sleep(5);
      assert.equal(currentProfiler()?.getBaseId(), BASE);
    });
    const pending = channel.deliver(message(headers)) as Promise<unknown>;
    assert.deepEqual(names(), ['handle-start']);
    await pending;
    assert.deepEqual(names(), ['handle-start', 'handle-stop']);
  });

  it('runs messages without (valid) trace headers outside any trace, even from a traced context', () => {
    const headers = publishedHeaders();
    sent.length = 0;
    const channel = instrumentAmqp(new FakeChannel(), { hmacKeys: 'secret' });
    const seen: unknown[] = [];
    void channel.consume('q', (m) => seen.push(m === null ? 'cancelled' : currentProfiler()));
    inTrace(() => {
      channel.deliver(message(undefined));
      channel.deliver(message({ 'X-Trace-Info': headers['X-Trace-Info'], 'X-Trace-HMAC': 'f'.repeat(40) }));
      channel.deliver(null);
    });
    channel.deliver(message(headers)); // verified, but with a different key below
    assert.deepEqual(seen.slice(0, 3), [undefined, undefined, 'cancelled']);
    assert.ok(seen[3] instanceof Profiler);
    assert.deepEqual(names(), ['rpc-start', 'rpc-stop']);
  });

  it('restores nothing when the consumer has no keys at all', () => {
    const headers = publishedHeaders();
    sent.length = 0;
    const channel = instrumentAmqp(new FakeChannel());
    void channel.consume('q', () => assert.equal(currentProfiler(), undefined));
    channel.deliver(message(headers));
    assert.deepEqual(sent, []);
  });
});

describe('instrumentAmqp(): oslo-context propagation', () => {
  it('puts _context_trace_info in a JSON body and no headers', () => {
    const channel = instrumentAmqp(new FakeChannel(), { propagation: 'oslo-context' });
    inTrace(() => channel.publish('nova', 'compute', Buffer.from('{"method": "run"}'), { headers: { a: 1 } }));
    const { content, options } = channel.published[0]!;
    const body = JSON.parse(content.toString('utf8'));
    assert.deepEqual(body, {
      method: 'run',
      _context_trace_info: { hmac_key: 'secret', base_id: BASE, parent_id: sent[0]!.trace_id },
    });
    assert.deepEqual(options, { headers: { a: 1 } });
  });

  it('a consumer accepts the body’s key only when it is one of its own, unless trustContextKey', () => {
    const publisher = instrumentAmqp(new FakeChannel(), { propagation: 'both' });
    inTrace(() => publisher.publish('ex', 'rk', Buffer.from('{}')));
    const body = publisher.published[0]!.content.toString('utf8');
    sent.length = 0;
    const traced = (options: Parameters<typeof instrumentAmqp>[1]) => {
      const channel = instrumentAmqp(new FakeChannel(), { propagation: 'oslo-context', ...options });
      let base: string | undefined;
      void channel.consume('q', () => (base = currentProfiler()?.getBaseId()));
      channel.deliver(message(undefined, body));
      return base;
    };
    assert.equal(traced({ hmacKeys: 'secret' }), BASE);
    assert.equal(traced({ hmacKeys: 'other' }), undefined);
    assert.equal(traced({}), undefined);
    assert.equal(traced({ trustContextKey: true }), BASE);
  });
});
