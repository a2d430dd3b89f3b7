// The demo's RPC layer: the context serializer carries the trace through the bus, as oslo.messaging's does.
import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { get, setNotifier, type Notification } from '../../../src/index.js';
import { startTrace } from '../../../src/web.js';
import type { Bus, BusHandler } from '../../../src/demo/bus.js';
import { RpcClient, serveEndpoint } from '../../../src/demo/messaging.js';
import { RequestContext, serializeContext } from '../../../src/demo/request-context.js';

/**
 * An in-process bus: what the built-in channel does, without the processes. Messages are
 * delivered by a timer created with the bus, i.e. outside any caller's trace, as a socket's or
 * IPC channel's events are.
 */
class LocalBus implements Bus {
  readonly sent: string[] = [];
  private readonly handlers = new Map<string, BusHandler>();
  private readonly queue: Array<{ topic: string; body: string; reply(body: string): void }> = [];
  private readonly pump = setInterval(() => {
    for (const message of this.queue.splice(0))
      void this.handlers.get(message.topic)?.(message.body).then(message.reply);
  }, 1);
  async serve(topic: string, handler: BusHandler): Promise<void> {
    this.handlers.set(topic, handler);
  }
  cast(topic: string, body: string): void {
    this.sent.push(body);
    this.queue.push({ topic, body, reply: () => {} });
  }
  call(topic: string, body: string): Promise<string> {
    this.sent.push(body);
    return new Promise((reply) => this.queue.push({ topic, body, reply }));
  }
  async close(): Promise<void> {
    clearInterval(this.pump);
  }
}

const context = new RequestContext('u-1', 'p-1', 'req-1', 'secret-token');
let sent: Notification[] = [];
beforeEach(() => {
  sent = [];
  setNotifier((n) => sent.push(n));
});
afterEach(() => setNotifier(() => {}));

describe('demo RPC context serializer', () => {
  it('adds trace_info to the serialized context only inside a trace', async () => {
    assert.equal(serializeContext(context).trace_info, undefined);
    const { result, traceId } = await startTrace('k1', () => serializeContext(context));
    assert.deepEqual(result.trace_info, { hmac_key: 'k1', base_id: traceId, parent_id: traceId });
    assert.equal(result.auth_token, 'secret-token');
  });

  it('runs the server method in the caller’s trace, under the caller’s point', async () => {
    const bus = new LocalBus();
    const seen: Array<string | undefined> = [];
    await serveEndpoint(bus, 'topic', { ping: () => seen.push(get()?.getBaseId()) && 'pong' }, ['k1']);
    const { result, traceId } = await startTrace('k1', () => new RpcClient(bus, 'topic').call(context, 'ping', {}));
    assert.equal(result, 'pong');
    assert.deepEqual(seen, [traceId]);
    assert.match(bus.sent[0]!, /"_context_trace_info":\{"hmac_key":"k1"/);
    await bus.close();
  });

  it('ignores trace_info signed with a key the server does not hold', async () => {
    const bus = new LocalBus();
    const seen: Array<string | undefined> = [];
    await serveEndpoint(bus, 'topic', { ping: () => seen.push(get()?.getBaseId()) && 'pong' }, ['k1']);
    await startTrace('other-key', () => new RpcClient(bus, 'topic').call(context, 'ping', {}));
    assert.deepEqual(seen, [undefined]);
    assert.equal(sent.length, 0);
    await bus.close();
  });

  it('keeps the token out of a traced method’s rendered arguments', async () => {
    assert.doesNotMatch(JSON.stringify(context), /secret-token/);
    const { inspect } = await import('node:util');
    assert.doesNotMatch(inspect(context, { customInspect: false, getters: false }), /secret-token/);
  });

  it('answers a failure of the server method as an error of the call', async () => {
    const bus = new LocalBus();
    await serveEndpoint(bus, 'topic', {}, ['k1']);
    await assert.rejects(new RpcClient(bus, 'topic').call(context, 'nope', {}), /topic\.nope: unknown method nope/);
    await assert.rejects(new RpcClient(bus, 'topic').call(context, '_private', {}), /unknown method _private/);
    await bus.close();
  });
});
