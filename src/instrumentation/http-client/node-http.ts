// node:http / node:https clients: the channel hooks and TracingAgent (the way to add headers on Node 20).
import diagnostics from 'node:diagnostics_channel';
import http, { type AgentOptions, type ClientRequest } from 'node:http';
import https from 'node:https';
import { currentProfiler } from '../../core/context.js';
import { debug } from '../../log.js';
import {
  HookHolds,
  kClientSpan,
  schemeOf,
  startClientSpan,
  stopAborted,
  stopWithError,
  stopWithStatus,
  tracesRequests,
  type SpanHolder,
} from './client-span.js';

type TracedRequest = ClientRequest & SpanHolder;

interface ClientMessage {
  request?: TracedRequest;
  response?: { statusCode?: unknown };
  error?: unknown;
}

/** The options node:http hands to `Agent#addRequest` (only the port is read). */
export interface AddRequestOptions {
  port?: number | string | null;
  [option: string]: unknown;
}

function versionAtLeast(major: number, minor: number): boolean {
  const [maj = 0, min = 0] = process.versions.node.split('.').map(Number);
  return maj > major || (maj === major && min >= minor);
}

/**
 * True when this Node publishes `http.client.request.created` (22.12+, 23.2+), i.e. when
 * traceRequests() can add trace headers to plain `http.request` calls with no agent.
 * @since 0.1.0
 */
export const canHookHttpHeaders: boolean = versionAtLeast(23, 2) || (versionAtLeast(22, 12) && !versionAtLeast(23, 0));

// why: keep every channel object referenced for the life of the process.
const channels = {
  created: diagnostics.channel('http.client.request.created'),
  start: diagnostics.channel('http.client.request.start'),
  response: diagnostics.channel('http.client.response.finish'),
  error: diagnostics.channel('http.client.request.error'),
};

/** traceRequests() asked for every trace. */
let everyTrace = false;
/** traceRequests({globalAgents: true}) asked for tracing global agents. */
let globalAgentsAsked = false;
/** startTrace() calls running: their traces alone need the hooks. */
const holds = new HookHolds(() => sync());

/** Marks the global agents we installed: they act only for the traces the hooks are on for. */
const kGated = Symbol('osprofiler.gated-agent');

/**
 * Opens the client span of `request` when a trace is active and it has none yet, and sets the
 * span's signed headers unless they were already sent or the caller set its own. `gated`: only
 * when traceRequests() is on or the trace was begun by startTrace() (the channel hooks and the
 * global agents we install); an explicit TracingAgent acts in every trace.
 */
function traceClientRequest(request: TracedRequest, port: unknown, gated: boolean): void {
  if (request[kClientSpan] !== undefined) return;
  // why: outside a trace this read is the whole cost.
  const profiler = currentProfiler();
  if (profiler === undefined || (gated && !tracesRequests(profiler, everyTrace))) return;
  try {
    const headers = startClientSpan(profiler, request, {
      method: typeof request.method === 'string' ? request.method : 'GET',
      scheme: schemeOf(request.protocol),
      hostname: typeof request.host === 'string' ? request.host : 'localhost',
      port: portOf(request, port),
      pathAndQuery: typeof request.path === 'string' ? request.path : '/',
    });
    ensureStopHooks();
    request.on('close', onRequestClose);
    if (request.headersSent || request.hasHeader('x-trace-info')) return;
    for (const name of Object.keys(headers)) request.setHeader(name, headers[name]);
  } catch (error) {
    debug('http client hook failed: %s', (error as Error)?.message);
  }
}

/** The explicit port: from the agent's options, else from the Host header Node wrote. */
function portOf(request: TracedRequest, port: unknown): number | undefined {
  if (typeof port === 'number' && Number.isInteger(port) && port > 0) return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  const host = request.getHeader('host');
  const match = typeof host === 'string' ? /:(\d+)$/.exec(host) : null;
  return match === null ? undefined : Number(match[1]);
}

function onRequestClose(this: TracedRequest): void {
  if (this[kClientSpan] !== undefined) stopAborted(this);
}

function onCreated(message: unknown): void {
  const request = (message as ClientMessage).request;
  if (request !== undefined) traceClientRequest(request, undefined, true);
}

// why: on Node 20 this fires after the headers were flushed: the span is still recorded (timing
// and status), only the downstream service cannot join the trace. TracingAgent fixes that.
function onStart(message: unknown): void {
  const request = (message as ClientMessage).request;
  if (request !== undefined) traceClientRequest(request, undefined, true);
}

function onResponse(message: unknown): void {
  const { request, response } = message as ClientMessage;
  if (request?.[kClientSpan] !== undefined) stopWithStatus(request, response?.statusCode);
}

function onError(message: unknown): void {
  const { request, error } = message as ClientMessage;
  if (request?.[kClientSpan] !== undefined) stopWithError(request, error);
}

let stopHooked = false;
let startHooked = false;

// why: never unsubscribed, so spans in flight (and TracingAgent spans, which need no
// traceRequests()) always get their stop; an untraced request costs one symbol read.
function ensureStopHooks(): void {
  if (stopHooked) return;
  stopHooked = true;
  diagnostics.subscribe('http.client.response.finish', onResponse);
  diagnostics.subscribe('http.client.request.error', onError);
}

function sync(): void {
  const wanted = everyTrace || holds.active;
  if (wanted !== startHooked) {
    startHooked = wanted;
    void channels;
    if (wanted) {
      diagnostics.subscribe('http.client.request.created', onCreated);
      diagnostics.subscribe('http.client.request.start', onStart);
    } else {
      diagnostics.unsubscribe('http.client.request.created', onCreated);
      diagnostics.unsubscribe('http.client.request.start', onStart);
    }
  }
  // why: where no channel can add headers (Node before 22.12), a startTrace() script's plain
  // `http.get(url)` only carries them through a tracing global agent; ours are gated, so while
  // one is installed for a startTrace() call other traces' requests pass through untouched.
  if ((everyTrace && globalAgentsAsked) || (holds.active && !canHookHttpHeaders)) installGlobalAgents();
  else restoreGlobalAgents();
}

/**
 * Starts tracing node:http/https requests made while any trace is active; `globalAgents` also
 * installs tracing global agents where the channel cannot add headers. Idempotent.
 */
export function hookNodeHttp(options: { globalAgents?: boolean } = {}): void {
  everyTrace = true;
  globalAgentsAsked = options.globalAgents === true;
  sync();
}

/** Stops making spans and headers for new node:http/https requests (startTrace ones go on). Idempotent. */
export function unhookNodeHttp(): void {
  everyTrace = false;
  globalAgentsAsked = false;
  sync();
}

/**
 * Traces node:http/https requests of the traces startTrace() began until the returned function
 * is called (once); other traces are left alone unless hookNodeHttp() is on.
 */
export function holdNodeHttp(): () => void {
  return holds.hold();
}

type AddRequest = (this: http.Agent, request: ClientRequest, options: AddRequestOptions) => void;
const httpAddRequest = (http.Agent.prototype as unknown as { addRequest: AddRequest }).addRequest;
const httpsAddRequest = (https.Agent.prototype as unknown as { addRequest: AddRequest }).addRequest;

/**
 * An `http.Agent` that opens a client span and sets the signed trace headers on every request
 * made through it while a trace is active (and does nothing else otherwise). Use it where
 * `http.request` cannot be hooked: Node before 22.12 publishes no channel early enough to add
 * headers. `http.get(url, { agent: new TracingAgent({ keepAlive: true }) })`, or
 * `traceRequests({ globalAgents: true })` to install one as `http.globalAgent`.
 * Works with or without traceRequests().
 * @since 0.1.0
 */
export class TracingAgent extends http.Agent {
  /** Called by node:http for each request before its headers are written. */
  addRequest(request: ClientRequest, options: AddRequestOptions): void {
    traceClientRequest(request, options?.port, (this as GatedAgent)[kGated] === true);
    httpAddRequest.call(this, request, options);
  }
}

/** The `https.Agent` counterpart of TracingAgent. @since 0.1.0 */
export class TracingHttpsAgent extends https.Agent {
  /** Called by node:https for each request before its headers are written. */
  addRequest(request: ClientRequest, options: AddRequestOptions): void {
    traceClientRequest(request, options?.port, (this as GatedAgent)[kGated] === true);
    httpsAddRequest.call(this, request, options);
  }
}

interface GatedAgent {
  [kGated]?: true;
}

interface GlobalAgentSlots {
  globalAgent: http.Agent;
}

let replaced: { http: http.Agent; https: https.Agent } | undefined;

/**
 * Installs TracingAgent/TracingHttpsAgent as the global agents (same options as the ones they
 * replace), gated like the channel hooks. Only where headers cannot be added through the
 * channel; undone by restoreGlobalAgents.
 */
function installGlobalAgents(): void {
  if (replaced !== undefined || canHookHttpHeaders) return;
  const httpModule = http as unknown as GlobalAgentSlots;
  const httpsModule = https as unknown as GlobalAgentSlots;
  replaced = { http: httpModule.globalAgent, https: httpsModule.globalAgent as https.Agent };
  const httpAgent: TracingAgent & GatedAgent = new TracingAgent(optionsOf(replaced.http));
  const httpsAgent: TracingHttpsAgent & GatedAgent = new TracingHttpsAgent(optionsOf(replaced.https));
  httpAgent[kGated] = true;
  httpsAgent[kGated] = true;
  httpModule.globalAgent = httpAgent;
  httpsModule.globalAgent = httpsAgent;
}

/** Puts back the global agents that installGlobalAgents replaced (if they are still ours). */
function restoreGlobalAgents(): void {
  if (replaced === undefined) return;
  const httpModule = http as unknown as GlobalAgentSlots;
  const httpsModule = https as unknown as GlobalAgentSlots;
  if (httpModule.globalAgent instanceof TracingAgent) httpModule.globalAgent = replaced.http;
  if (httpsModule.globalAgent instanceof TracingHttpsAgent) httpsModule.globalAgent = replaced.https;
  replaced = undefined;
}

function optionsOf(agent: http.Agent): AgentOptions {
  const options = (agent as unknown as { options?: AgentOptions }).options;
  return options !== undefined && options !== null ? { ...options } : { keepAlive: true };
}
