// fetch / undici: a client span per request and signed headers, through undici's diagnostics channels.
import diagnostics from 'node:diagnostics_channel';
import { currentProfiler } from '../../core/context.js';
import { debug } from '../../log.js';
import {
  HookHolds,
  kClientSpan,
  schemeOf,
  startClientSpan,
  stopWithError,
  stopWithStatus,
  tracesRequests,
  type SpanHolder,
} from './client-span.js';

/** The fields of undici's internal Request that the hooks read (undici 5–8, Node's bundled copy). */
interface UndiciRequest extends SpanHolder {
  origin?: unknown;
  path?: unknown;
  method?: unknown;
  headers?: unknown;
  addHeader?: (name: string, value: string) => unknown;
}

interface UndiciMessage {
  request?: UndiciRequest;
  response?: { statusCode?: unknown };
  error?: unknown;
}

// why: hold the channel objects for the life of the process (a channel nobody references could
// be collected with its subscribers on some Node lines). Node's bundled undici (global fetch) and
// any npm copy publish on these same names.
const channels = {
  create: diagnostics.channel('undici:request:create'),
  headers: diagnostics.channel('undici:request:headers'),
  error: diagnostics.channel('undici:request:error'),
};

let startHooked = false;
let stopHooked = false;
/** traceRequests() asked for every trace. */
let everyTrace = false;
/** startTrace() calls running: their traces alone need the hook. */
const holds = new HookHolds(() => sync());

function onCreate(message: unknown): void {
  // why: the whole cost for a request outside any trace is this read.
  const profiler = currentProfiler();
  if (profiler === undefined || !tracesRequests(profiler, everyTrace)) return;
  try {
    const request = (message as UndiciMessage).request;
    if (request === undefined || request === null || request[kClientSpan] !== undefined) return;
    const origin = new URL(String(request.origin));
    const headers = startClientSpan(profiler, request, {
      method: typeof request.method === 'string' ? request.method : 'GET',
      scheme: schemeOf(origin.protocol),
      hostname: origin.hostname,
      port: origin.port === '' ? undefined : Number(origin.port),
      pathAndQuery: typeof request.path === 'string' ? request.path : '/',
    });
    ensureStopHooks();
    // why: trace headers the caller set explicitly are theirs to keep (undici cannot replace a
    // header, and a duplicate would make the downstream signature check fail).
    if (typeof request.addHeader !== 'function' || hasTraceHeader(request.headers)) return;
    for (const name of Object.keys(headers)) request.addHeader(name, headers[name]);
  } catch (error) {
    debug('undici hook failed: %s', (error as Error)?.message);
  }
}

function onHeaders(message: unknown): void {
  const { request, response } = message as UndiciMessage;
  if (request?.[kClientSpan] !== undefined) stopWithStatus(request, response?.statusCode);
}

function onError(message: unknown): void {
  const { request, error } = message as UndiciMessage;
  if (request?.[kClientSpan] !== undefined) stopWithError(request, error);
}

/** undici keeps headers as `[name, value, …]` (6+) or as raw `name: value\r\n` text (5). */
function hasTraceHeader(headers: unknown): boolean {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      if (typeof headers[i] === 'string' && (headers[i] as string).toLowerCase() === 'x-trace-info') return true;
    }
    return false;
  }
  return typeof headers === 'string' && /(?:^|\r\n)x-trace-info:/i.test(headers);
}

// why: stop hooks stay once subscribed, so requests in flight when tracing is turned off still
// get their stop; for an untraced request they cost one symbol read.
function ensureStopHooks(): void {
  if (stopHooked) return;
  stopHooked = true;
  diagnostics.subscribe('undici:request:headers', onHeaders);
  diagnostics.subscribe('undici:request:error', onError);
}

function sync(): void {
  const wanted = everyTrace || holds.active;
  if (wanted === startHooked) return;
  startHooked = wanted;
  void channels;
  if (wanted) diagnostics.subscribe('undici:request:create', onCreate);
  else diagnostics.unsubscribe('undici:request:create', onCreate);
}

/** Starts tracing fetch/undici requests made while any trace is active. Idempotent. */
export function hookUndici(): void {
  everyTrace = true;
  sync();
}

/** Stops making spans and headers for new fetch/undici requests (startTrace ones go on). Idempotent. */
export function unhookUndici(): void {
  everyTrace = false;
  sync();
}

/**
 * Traces fetch/undici requests of the traces startTrace() began until the returned function is
 * called (once); other traces are left alone unless hookUndici() is on.
 */
export function holdUndici(): () => void {
  return holds.hold();
}
