// koaMiddleware: one-line tracing for Koa apps.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runInProfiler } from '../../core/context.js';
import { resolveWebOptions, type WebTraceOptions } from './options.js';
import { acceptRequest, startServerSpan } from './request-span.js';

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
    const profiler = acceptRequest(resolved, req);
    if (profiler === undefined) return next();
    const span = startServerSpan(resolved.name, profiler, req, ctx.res, ctx.originalUrl ?? req.url);
    return runInProfiler(span.profiler, () =>
      next().then(undefined, (error: unknown) => {
        span.fail(error);
        throw error;
      }),
    );
  };
}
