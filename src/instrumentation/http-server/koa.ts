// koaMiddleware: one-line tracing for Koa apps.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runInProfiler } from '../../core/context.js';
import { resolveWebOptions, type WebTraceOptions } from './options.js';
import { acceptRequest, hasTraceHeader, startServerSpan, type ServerSpan } from './request-span.js';

/** The parts of a Koa context the middleware reads. @since 0.1.0 */
export interface KoaContextLike {
  req: IncomingMessage;
  res: ServerResponse;
  /** The target before any router rewrote `url`. */
  originalUrl?: string;
}

/** A Koa middleware function. @since 0.1.0 */
export type KoaMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<unknown>;

/**
 * Koa middleware: downstream middleware runs inside the request's trace context and a `wsgi`
 * span when the request carries valid signed trace headers (see `wrapListener`). An error thrown
 * downstream is recorded on the stop (`etype`/`message`, with the status Koa answers) and
 * rethrown unchanged. Mount it first: `app.use(koaMiddleware())`.
 * @since 0.1.0
 */
export function koaMiddleware(options?: WebTraceOptions): KoaMiddleware {
  const resolved = resolveWebOptions(options);
  return function osprofilerKoa(ctx, next): Promise<unknown> {
    const req = ctx.req;
    const profiler = hasTraceHeader(req) ? acceptRequest(resolved, req) : undefined;
    if (profiler === undefined) return next();
    return nextInTrace(startServerSpan(resolved.name, profiler, req, ctx.res, ctx.originalUrl ?? req.url), next);
  };
}

// why: the closures live here, not in the middleware, where V8 would allocate their context on
// every request, untraced ones included.
function nextInTrace(span: ServerSpan, next: () => Promise<unknown>): Promise<unknown> {
  return runInProfiler(span.profiler, () =>
    next().then(undefined, (error: unknown) => {
      span.fail(error);
      throw error;
    }),
  );
}
