// instrumentAmqp: spans and trace propagation around an amqplib channel's publish/sendToQueue and consume.
import { currentProfiler, runInProfiler, runOutsideTrace } from '../core/context.js';
import { errorInfo } from '../core/error-info.js';
import { getTraceIdHeaders } from '../propagation/headers.js';
import { debug } from '../log.js';
import { Profiler } from '../core/profiler.js';
import { runTraced } from '../core/trace.js';
import {
  extractContextTraceInfo,
  injectContextTraceInfo,
  readSignedTraceHeaders,
  readTraceInfo,
  receiverKeys,
  serializeTraceInfo,
} from '../propagation/trace-info.js';

/**
 * How the trace travels with a message:
 * - `headers` (default): signed `X-Trace-Info` / `X-Trace-HMAC` message headers, verified by the
 *   consumer with its own keys; the key never travels.
 * - `oslo-context`: `_context_trace_info = {hmac_key, base_id, parent_id}` inside the JSON body
 *   (oslo.messaging's RPC context form that Python consumers restore); the key travels in the clear.
 * - `both`: both on publish; on consume the headers are tried first.
 * @since 0.1.0
 */
export type AmqpPropagation = 'headers' | 'oslo-context' | 'both';

/** Options of {@link instrumentAmqp}. @since 0.1.0 */
export interface AmqpTraceOptions {
  /** Name of the publish span. Default `rpc`. */
  name?: string;
  /** Name of the span around a consumer callback. Default: `name`. */
  consumeName?: string;
  /** Default `headers`; see {@link AmqpPropagation}. */
  propagation?: AmqpPropagation;
  /**
   * Keys a consumer accepts: they verify signed headers and, for `oslo-context`, the key carried
   * in the body must be one of them. Default: the keys of `enableWebTrace()` / `initFromConf()`.
   */
  hmacKeys?: string | readonly string[];
  /**
   * `oslo-context` only: accept any key carried in a message body, as Python does (everyone who
   * can publish to the broker may start traces). Default false.
   */
  trustContextKey?: boolean;
}

/** The publish options amqplib takes (only `headers` is read here). */
export interface AmqpPublishOptionsLike {
  headers?: Record<string, unknown>;
  [option: string]: unknown;
}

/** The part of an amqplib message a consumer wrapper reads. */
export interface AmqpMessageLike {
  content: Uint8Array;
  fields?: { exchange?: string; routingKey?: string };
  properties?: { headers?: Record<string, unknown> | undefined };
}

/** The part of an amqplib `Channel` / `ConfirmChannel` that is wrapped. */
export interface AmqpChannelLike {
  publish(exchange: string, routingKey: string, content: Buffer, options?: AmqpPublishOptionsLike): boolean;
  sendToQueue(queue: string, content: Buffer, options?: AmqpPublishOptionsLike): boolean;
  consume(queue: string, onMessage: (message: AmqpMessageLike | null) => void, options?: object): Promise<unknown>;
}

type Fn = (this: unknown, ...args: unknown[]) => unknown;

interface Resolved {
  readonly name: string;
  readonly consumeName: string;
  readonly headers: boolean;
  readonly context: boolean;
  readonly hmacKeys: string | readonly string[] | undefined;
  readonly trustContextKey: boolean;
}

const kInstrumented = Symbol('osprofiler.amqp');

// why: amqplib's sendToQueue calls this.publish; the nested (wrapped) publish of a traced
// sendToQueue must pass through instead of opening a second span. Publishing is synchronous,
// so a depth counter is exact.
let publishDepth = 0;

/**
 * Traces an amqplib channel (`Channel` or `ConfirmChannel`, from `connection.createChannel()`):
 * - `publish` / `sendToQueue` inside a trace open a span (`rpc`, info `{exchange, routing_key}`)
 *   and carry the trace to the consumer (see {@link AmqpPropagation}); the caller's options
 *   object is copied, never changed. With a ConfirmChannel callback the span ends at the broker's
 *   confirm (an error there is recorded), and the callback runs in the caller's trace context.
 * - `consume`: a message that carries a valid trace runs the callback in that trace, inside a
 *   span (`rpc`, info `{exchange, routing_key, queue}`) that ends when the callback returns or the
 *   promise it returns settles. Other messages run their callback outside any trace.
 * Outside a trace a publish costs one context lookup and adds nothing to the message. Only this
 * channel object is wrapped; calling it again on the same channel changes nothing. Returns it.
 * @since 0.1.0
 */
export function instrumentAmqp<C extends AmqpChannelLike>(channel: C, options: AmqpTraceOptions = {}): C {
  if (channel === null || typeof channel !== 'object') return channel;
  const target = channel as unknown as Record<PropertyKey, unknown>;
  if (target[kInstrumented] !== undefined) return channel;
  const name = typeof options.name === 'string' && options.name !== '' ? options.name : 'rpc';
  const propagation = options.propagation ?? 'headers';
  const resolved: Resolved = {
    name,
    consumeName: typeof options.consumeName === 'string' && options.consumeName !== '' ? options.consumeName : name,
    headers: propagation !== 'oslo-context',
    context: propagation !== 'headers',
    hmacKeys: options.hmacKeys,
    trustContextKey: options.trustContextKey === true,
  };
  Object.defineProperty(target, kInstrumented, { value: resolved });
  wrap(target, 'publish', (original) => publishWrapper(original, resolved, 3));
  wrap(target, 'sendToQueue', (original) => publishWrapper(original, resolved, 2));
  wrap(target, 'consume', (original) => consumeWrapper(original, resolved));
  return channel;
}

function wrap(target: Record<PropertyKey, unknown>, method: string, make: (original: Fn) => Fn): void {
  const original = target[method];
  if (typeof original === 'function') target[method] = make(original as Fn);
}

/** `optionsIndex`: where the options argument is (3 for publish, 2 for sendToQueue). */
function publishWrapper(original: Fn, options: Resolved, optionsIndex: number): Fn {
  return function (this: unknown): unknown {
    const profiler = currentProfiler();
    // why: the whole cost of an untraced publish is this check.
    if (profiler === undefined || publishDepth > 0) return Reflect.apply(original, this, arguments);
    const args: unknown[] = Array.from(arguments);
    const exchange = optionsIndex === 3 ? args[0] : '';
    const routingKey = optionsIndex === 3 ? args[1] : args[0];
    return tracedPublish(original, this, args, optionsIndex, profiler, options, {
      exchange: typeof exchange === 'string' ? exchange : String(exchange),
      routing_key: typeof routingKey === 'string' ? routingKey : String(routingKey),
    });
  };
}

function tracedPublish(
  original: Fn,
  self: unknown,
  args: unknown[],
  optionsIndex: number,
  caller: Profiler,
  options: Resolved,
  info: { exchange: string; routing_key: string },
): unknown {
  const view = caller.fork();
  return runInProfiler(view, () => {
    view.start(options.name, info);
    let stopped = false;
    const stop = (error?: unknown): void => {
      if (stopped) return;
      stopped = true;
      view.stop(error === undefined || error === null ? undefined : errorInfo(error));
    };
    try {
      addTraceContext(args, optionsIndex, options);
    } catch (error) {
      debug('amqp: trace context not added: %s', error);
    }
    const callback = args[optionsIndex + 1];
    if (typeof callback === 'function') {
      args[optionsIndex + 1] = function (this: unknown, error: unknown, ok: unknown): unknown {
        stop(error);
        return runInProfiler(caller, () => Reflect.apply(callback as Fn, this, [error, ok]));
      };
    }
    let result: unknown;
    publishDepth++;
    try {
      result = Reflect.apply(original, self, args);
    } catch (error) {
      stop(error);
      throw error;
    } finally {
      publishDepth--;
    }
    if (typeof callback !== 'function') stop();
    return result;
  });
}

/** Puts the current (publish span's) trace into the message: headers and/or the body's context. */
function addTraceContext(args: unknown[], optionsIndex: number, options: Resolved): void {
  while (args.length < optionsIndex) args.push(undefined);
  if (options.context) {
    const content = args[optionsIndex - 1];
    const traceInfo = serializeTraceInfo();
    if (content instanceof Uint8Array && traceInfo !== undefined) {
      const body = injectContextTraceInfo(content, traceInfo);
      if (body !== undefined) args[optionsIndex - 1] = body;
    }
  }
  if (options.headers) {
    const headers = getTraceIdHeaders();
    if (headers['X-Trace-Info'] === undefined) return;
    const given = args[optionsIndex];
    const publishOptions = given !== null && typeof given === 'object' ? (given as AmqpPublishOptionsLike) : {};
    const existing = publishOptions.headers;
    args[optionsIndex] = {
      ...publishOptions,
      headers: existing !== null && typeof existing === 'object' ? { ...existing, ...headers } : headers,
    };
  }
}

function consumeWrapper(original: Fn, options: Resolved): Fn {
  return function (this: unknown): unknown {
    const args: unknown[] = Array.from(arguments);
    const onMessage = args[1];
    if (typeof onMessage === 'function') {
      const queue = typeof args[0] === 'string' ? args[0] : '';
      args[1] = function (this: unknown, message: unknown): unknown {
        return deliver(onMessage as Fn, this, message, queue, options);
      };
    }
    return Reflect.apply(original, this, args);
  };
}

/** Runs a consumer callback for one message: in the message's trace, or outside any trace. */
function deliver(onMessage: Fn, self: unknown, message: unknown, queue: string, options: Resolved): unknown {
  const profiler =
    message !== null && typeof message === 'object' ? incomingProfiler(message as AmqpMessageLike, options) : undefined;
  const call = (): unknown => Reflect.apply(onMessage, self, [message]);
  if (profiler === undefined) {
    // why: amqplib calls consumers from socket events, i.e. in the context where the connection
    // was opened; a message without a trace must not be recorded in that unrelated trace.
    return currentProfiler() === undefined ? call() : runOutsideTrace(call);
  }
  const fields = (message as AmqpMessageLike).fields;
  return runTraced(
    profiler,
    options.consumeName,
    {
      exchange: typeof fields?.exchange === 'string' ? fields.exchange : '',
      routing_key: typeof fields?.routingKey === 'string' ? fields.routingKey : '',
      queue,
    },
    call,
  );
}

/** The profiler a message's trace context asks for, when it is present and valid. Never throws. */
function incomingProfiler(message: AmqpMessageLike, options: Resolved): Profiler | undefined {
  try {
    if (options.headers) {
      const headers = message.properties?.headers;
      // why: two property reads decide that an untraced message carries no trace headers.
      if (headers != null && (headers['X-Trace-Info'] !== undefined || headers['x-trace-info'] !== undefined)) {
        const context = readSignedTraceHeaders(headers, { hmacKeys: options.hmacKeys });
        if (context !== null) return new Profiler(context.hmac_key, context.base_id, context.parent_id);
      }
    }
    if (options.context && message.content instanceof Uint8Array) {
      const raw = extractContextTraceInfo(message.content);
      if (raw === undefined) return undefined;
      // NOTE: the body's key is sent in the clear; unless trustContextKey, it must be one of ours,
      // so a publisher that knows no key cannot make this consumer trace.
      const keys = options.trustContextKey ? undefined : receiverKeys(options.hmacKeys);
      if (keys !== undefined && keys.length === 0) return undefined;
      const context = readTraceInfo(raw, keys === undefined ? undefined : { hmacKeys: keys });
      if (context !== undefined) return new Profiler(context.hmac_key, context.base_id, context.parent_id);
    }
  } catch (error) {
    debug('amqp: incoming trace context ignored: %s', error);
  }
  return undefined;
}
