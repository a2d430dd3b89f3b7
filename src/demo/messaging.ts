// RPC in oslo.messaging's shape over the demo's bus: a client that casts and calls, a server that dispatches to a manager.
import type { Bus } from './bus.js';
import { RequestContext, serializeContext, withDeserializedContext } from './request-context.js';

const CONTEXT_PREFIX = '_context_';

/** The oslo message body: method, args, and the serialized context flattened as `_context_<key>`. */
function pack(context: RequestContext, method: string, args: Record<string, unknown>): string {
  const message: Record<string, unknown> = { method, args, version: '1.0' };
  for (const [key, value] of Object.entries(serializeContext(context))) message[`${CONTEXT_PREFIX}${key}`] = value;
  return JSON.stringify(message);
}

/** The client side of one topic (oslo.messaging's RPCClient with the context serializer). */
export class RpcClient {
  constructor(
    private readonly bus: Bus,
    private readonly topic: string,
  ) {}

  /** Fire and forget. */
  cast(context: RequestContext, method: string, args: Record<string, unknown>): void {
    this.bus.cast(this.topic, pack(context, method, args));
  }

  /** Waits for the result; a failure on the server is thrown here as an Error with its message. */
  async call<T>(context: RequestContext, method: string, args: Record<string, unknown>): Promise<T> {
    const reply = JSON.parse(await this.bus.call(this.topic, pack(context, method, args))) as {
      result?: T;
      failure?: string;
    };
    if (reply.failure !== undefined) throw new Error(`${this.topic}.${method}: ${reply.failure}`);
    return reply.result as T;
  }
}

/** A manager's RPC methods: `(context, args) => result`. */
export type Endpoint = object;

/**
 * Serves `topic`: each message is deserialized (its context, and its trace through the
 * serializer) and dispatched to the endpoint's public method of that name.
 */
export async function serveEndpoint(
  bus: Bus,
  topic: string,
  endpoint: Endpoint,
  hmacKeys: readonly string[],
): Promise<void> {
  await bus.serve(topic, async (body) => {
    try {
      const message = JSON.parse(body) as Record<string, unknown>;
      const dict: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(message)) {
        if (key.startsWith(CONTEXT_PREFIX)) dict[key.slice(CONTEXT_PREFIX.length)] = value;
      }
      const method = String(message.method);
      const target = (endpoint as Record<string, unknown>)[method];
      if (method.startsWith('_') || typeof target !== 'function') throw new Error(`unknown method ${method}`);
      const result: unknown = await withDeserializedContext(dict, hmacKeys, (context) => {
        if (context === undefined) throw new Error('message without a request context');
        return (target as (c: RequestContext, a: unknown) => unknown).call(endpoint, context, message.args ?? {});
      });
      return JSON.stringify({ result: result ?? null });
    } catch (error) {
      return JSON.stringify({ failure: error instanceof Error ? error.message : String(error) });
    }
  });
}
