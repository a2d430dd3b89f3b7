// traceRequests / untraceRequests: outgoing HTTP propagation for fetch/undici and node:http/https.
import { holdNodeHttp, hookNodeHttp, unhookNodeHttp } from './node-http.js';
import { holdUndici, hookUndici, unhookUndici } from './undici.js';

export { TracingAgent, TracingHttpsAgent, canHookHttpHeaders, type AddRequestOptions } from './node-http.js';

/** What traceRequests() hooks. @since 0.1.0 */
export interface TraceRequestsOptions {
  /** Global fetch and undici (any copy), through undici's diagnostics channels. Default true. */
  fetch?: boolean;
  /**
   * node:http / node:https requests. Default true. On Node 22.12+ headers are added through
   * `http.client.request.created`; on older Node the span is recorded but headers need a
   * TracingAgent (per request, or `globalAgents`).
   */
  http?: boolean;
  /**
   * On Node before 22.12, replace `http.globalAgent` / `https.globalAgent` with tracing agents
   * (same options) so plain `http.request` calls carry the headers too. Default false: the
   * global agents are the application's. Ignored where the channel can add headers.
   */
  globalAgents?: boolean;
}

/**
 * While a trace is active, every outgoing request through global fetch/undici and
 * node:http/https gets a child span named after the URL scheme (`http`/`https`) with
 * `info.requests = {method, query, path, hostname, port, scheme}`, `status_code` on its stop
 * (or `etype`/`message` when it fails), and carries the signed `X-Trace-Info`/`X-Trace-HMAC`
 * headers of that span, so the downstream service's spans nest under it. Outside a trace nothing
 * is added and nothing is recorded. Headers the caller set itself are left alone. Calling it
 * again replaces the previous options. Never throws.
 * @since 0.1.0
 */
export function traceRequests(options: TraceRequestsOptions = {}): void {
  untraceRequests();
  if (options.fetch !== false) hookUndici();
  if (options.http !== false) hookNodeHttp({ globalAgents: options.globalAgents === true });
}

/**
 * Stops tracing outgoing requests (requests in flight still get their stop) and puts back
 * global agents replaced by `globalAgents`. TracingAgent instances keep working. Idempotent.
 * @since 0.1.0
 */
export function untraceRequests(): void {
  unhookUndici();
  unhookNodeHttp();
}

/**
 * While held, outgoing requests in traces that startTrace() began are traced as with
 * traceRequests(), and no other trace's are (unless traceRequests() is on). Returns the release
 * function (idempotent). Holds nest: the hooks stay while any startTrace() call runs.
 */
export function holdRequestTracing(): () => void {
  const releaseUndici = holdUndici();
  const releaseHttp = holdNodeHttp();
  return () => {
    releaseUndici();
    releaseHttp();
  };
}
