// node:http / node:https clients: the channel hooks and TracingAgent (the way to add headers on Node 20).
import diagnostics from 'node:diagnostics_channel';
import http, { type AgentOptions, type ClientRequest } from 'node:http';
import https from 'node:https';
import { currentProfiler } from '../../core/context.js';
import { debug } from '../../log.js';
import {
  kClientSpan,
  schemeOf,
  startClientSpan,
  stopAborted,
  stopWithError,
  stopWithStatus,
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

/**
 * Opens the client span of `request` when a trace is active and it has none yet, and sets the
 * span's signed headers unless they were already sent or the caller set its own.
 */
function traceClientRequest(request: TracedRequest, port?: unknown): void {
  if (request[kClientSpan] !== undefined) return;
  // why: outside a trace this read is the whole cost.
  const profiler = currentProfiler();
  if (profiler === undefined) return;
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
  if (request !== undefined) traceClientRequest(request);
}

// why: on Node 20 this fires after the headers were flushed: the span is still recorded (timing
// and status), only the downstream service cannot join the trace. TracingAgent fixes that.
function onStart(message: unknown): void {
  const request = (message as ClientMessage).request;
  if (request !== undefined) traceClientRequest(request);
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

/** Starts tracing node:http/https requests made while a trace is active. Idempotent. */
export function hookNodeHttp(): void {
  if (startHooked) return;
  startHooked = true;
  void channels;
  diagnostics.subscribe('http.client.request.created', onCreated);
  diagnostics.subscribe('http.client.request.start', onStart);
}

/** Stops making spans and headers for new node:http/https requests. Idempotent. */
export function unhookNodeHttp(): void {
  if (!startHooked) return;
  startHooked = false;
  diagnostics.unsubscribe('http.client.request.created', onCreated);
  diagnostics.unsubscribe('http.client.request.start', onStart);
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
    traceClientRequest(request, options?.port);
    httpAddRequest.call(this, request, options);
  }
}

/** The `https.Agent` counterpart of TracingAgent. @since 0.1.0 */
export class TracingHttpsAgent extends https.Agent {
  /** Called by node:https for each request before its headers are written. */
  addRequest(request: ClientRequest, options: AddRequestOptions): void {
    traceClientRequest(request, options?.port);
    httpsAddRequest.call(this, request, options);
  }
}

interface GlobalAgentSlots {
  globalAgent: http.Agent;
}

let replaced: { http: http.Agent; https: https.Agent } | undefined;

/**
 * Installs TracingAgent/TracingHttpsAgent as the global agents (same options as the ones they
 * replace). Only where headers cannot be added through the channel; undone by restoreGlobalAgents.
 */
export function installGlobalAgents(): void {
  if (replaced !== undefined || canHookHttpHeaders) return;
  const httpModule = http as unknown as GlobalAgentSlots;
  const httpsModule = https as unknown as GlobalAgentSlots;
  replaced = { http: httpModule.globalAgent, https: httpsModule.globalAgent as https.Agent };
  httpModule.globalAgent = new TracingAgent(optionsOf(replaced.http));
  httpsModule.globalAgent = new TracingHttpsAgent(optionsOf(replaced.https));
}

/** Puts back the global agents that installGlobalAgents replaced (if they are still ours). */
export function restoreGlobalAgents(): void {
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
