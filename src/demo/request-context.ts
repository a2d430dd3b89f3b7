// The request context services pass along RPC, and its serializer that carries the trace (oslo's RequestContextSerializer).
import { get, type TraceContext } from '../index.js';
import { serializeTraceInfo, withTraceInfo } from '../rpc.js';

/** Who asked (oslo.context's RequestContext). The token is kept out of traced arguments. */
export class RequestContext {
  readonly #authToken: string;

  constructor(
    readonly user_id: string,
    readonly project_id: string,
    readonly request_id: string,
    authToken: string,
  ) {
    this.#authToken = authToken;
  }

  /**
   * The user's token, for calls this service makes on the user's behalf.
   * why: a private field, so a traced method's rendered arguments never show it.
   */
  get authToken(): string {
    return this.#authToken;
  }

  /** oslo.context's to_dict(): what travels in a message. */
  toDict(): Record<string, unknown> {
    return {
      user_id: this.user_id,
      project_id: this.project_id,
      request_id: this.request_id,
      auth_token: this.#authToken,
    };
  }

  /** oslo.context's from_dict(); undefined when the dict lacks a field. */
  static fromDict(dict: Record<string, unknown>): RequestContext | undefined {
    const { user_id, project_id, request_id, auth_token } = dict;
    if (typeof user_id !== 'string' || typeof project_id !== 'string') return undefined;
    if (typeof request_id !== 'string' || typeof auth_token !== 'string') return undefined;
    return new RequestContext(user_id, project_id, request_id, auth_token);
  }
}

/**
 * serialize_context: the context as a dict plus `trace_info` when a trace is active, as nova's
 * and cinder's ProfilerRequestContextSerializer do with `profiler.get()`.
 */
export function serializeContext(context: RequestContext): Record<string, unknown> {
  const dict = context.toDict();
  const traceInfo: TraceContext | undefined = serializeTraceInfo();
  if (traceInfo !== undefined) dict.trace_info = traceInfo;
  return dict;
}

/**
 * deserialize_context: runs `fn` with the context and, when the dict carries `trace_info`, inside
 * that trace (Python calls `profiler.init(**trace_info)`). As Python's init returns the profiler
 * already active, a trace restored by the transport itself (instrumentAmqp) is kept. Trace info
 * whose key is not one of `hmacKeys` is ignored.
 */
export function withDeserializedContext<R>(
  dict: Record<string, unknown>,
  hmacKeys: readonly string[],
  fn: (context: RequestContext | undefined) => R,
): R {
  const context = RequestContext.fromDict(dict);
  if (get() !== undefined) return fn(context);
  return withTraceInfo(dict.trace_info, () => fn(context), { hmacKeys });
}
