// expressMiddleware: one-line tracing for Express 4/5 and Connect apps.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runInProfiler } from '../../core/context.js';
import { resolveWebOptions, type WebTraceOptions } from './options.js';
import { acceptRequest, hasTraceHeader, startServerSpan, type ServerSpan } from './request-span.js';

/** The parts of an Express/Connect request the middleware reads. @since 0.1.0 */
export interface ExpressRequestLike extends IncomingMessage {
  /** The target before any router rewrote `url` (Express sets it). */
  originalUrl?: string;
}

/** An Express/Connect middleware function. @since 0.1.0 */
export type ExpressMiddleware = (req: ExpressRequestLike, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Express 4/5 (and Connect) middleware: the rest of the chain runs inside the request's trace
 * context and a `wsgi` span when the request carries valid signed trace headers (see
 * `wrapListener` for the span's content). Mount it first: `app.use(expressMiddleware())`.
 * Express turns handler errors into responses itself, so a failed request shows as a 5xx stop
 * (`etype: 'HTTPError'`) with its status. Never throws.
 * @since 0.1.0
 */
export function expressMiddleware(options?: WebTraceOptions): ExpressMiddleware {
  const resolved = resolveWebOptions(options);
  return function osprofilerExpress(req, res, next): void {
    const profiler = hasTraceHeader(req) ? acceptRequest(resolved, req) : undefined;
    if (profiler === undefined) {
      next();
      return;
    }
    nextInTrace(startServerSpan(resolved.name, profiler, req, res, req.originalUrl ?? req.url), next);
  };
}

// why: the closure lives here, not in the middleware, where V8 would allocate its context on
// every request, untraced ones included.
function nextInTrace(span: ServerSpan, next: () => void): void {
  runInProfiler(span.profiler, () => next());
}
