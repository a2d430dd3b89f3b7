// Options of the web entry points, and how they combine with the process-wide web-trace switch.
import { webTraceState } from '../../config/web-trace.js';
import { parseHmacKeys } from '../../propagation/headers.js';

/**
 * Options of `wrapListener`, `expressMiddleware`, `koaMiddleware` and `fastifyPlugin`.
 * @since 0.1.0
 */
export interface WebTraceOptions {
  /**
   * Keys that may sign incoming trace headers: `"key1,key2"` or a list. Keys given to
   * `enableWebTrace()` / `initFromConf()` win over these when they are non-empty.
   */
  hmacKeys?: string | readonly string[];
  /** Name of the server span. Default `wsgi` (the name Python services use). */
  name?: string;
  /**
   * This entry point's own switch, used while `enableWebTrace()` / `disableWebTrace()` have never
   * been called (those override it, as in Python). Default true: with no keys at all nothing can
   * be traced anyway.
   */
  enabled?: boolean;
}

/** Options resolved once, when the middleware is created. */
export interface ResolvedWebOptions {
  readonly name: string;
  readonly hmacKeys: readonly string[];
  readonly enabled: boolean;
}

/** Parses the options of a web entry point once (keys split on `,` and stripped). */
export function resolveWebOptions(options: WebTraceOptions | undefined): ResolvedWebOptions {
  const name = typeof options?.name === 'string' && options.name !== '' ? options.name : 'wsgi';
  return Object.freeze({
    name,
    hmacKeys: Object.freeze(parseHmacKeys(options?.hmacKeys)),
    enabled: options?.enabled !== false,
  });
}

/**
 * The keys to verify an incoming request with, or undefined when web tracing is off for this
 * entry point. Same precedence as Python's WsgiMiddleware: the global switch (when ever set)
 * beats the entry point's own `enabled`, and global keys beat its own keys when non-empty.
 */
export function activeKeys(options: ResolvedWebOptions): readonly string[] | undefined {
  const state = webTraceState();
  const enabled = state.enabled === undefined ? options.enabled : state.enabled;
  if (!enabled) return undefined;
  const keys = state.hmacKeys.length > 0 ? state.hmacKeys : options.hmacKeys;
  return keys.length > 0 ? keys : undefined;
}
