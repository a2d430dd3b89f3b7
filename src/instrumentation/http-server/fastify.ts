// fastifyPlugin: one-line tracing for Fastify 4/5 apps, without a dependency on fastify-plugin.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runInProfiler } from '../../core/context.js';
import { resolveWebOptions, type WebTraceOptions } from './options.js';
import { acceptRequest, hasTraceHeader, spanOf, startServerSpan, type ServerSpan } from './request-span.js';

/** The parts of a Fastify request/reply the plugin reads. @since 0.1.0 */
export interface FastifyRequestLike {
  raw: IncomingMessage;
}
/** @since 0.1.0 */
export interface FastifyReplyLike {
  raw: ServerResponse;
}

/** The part of a Fastify instance the plugin uses. @since 0.1.0 */
export interface FastifyInstanceLike {
  addHook(
    name: 'onRequest',
    hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: (error?: Error) => void) => void,
  ): unknown;
  addHook(
    name: 'onError',
    hook: (request: FastifyRequestLike, reply: FastifyReplyLike, error: Error, done: () => void) => void,
  ): unknown;
}

/** The plugin's type: a Fastify callback plugin. @since 0.1.0 */
export type FastifyPlugin = (
  instance: FastifyInstanceLike,
  options: WebTraceOptions | undefined,
  done: (error?: Error) => void,
) => void;

function osprofiler(
  instance: FastifyInstanceLike,
  options: WebTraceOptions | undefined,
  done: (error?: Error) => void,
): void {
  const resolved = resolveWebOptions(options);
  instance.addHook('onRequest', function osprofilerOnRequest(request, reply, next): void {
    const req = request.raw;
    const profiler = hasTraceHeader(req) ? acceptRequest(resolved, req) : undefined;
    if (profiler === undefined) {
      next();
      return;
    }
    // why: the rest of the hook chain and the handler run from this call (or from the body's
    // 'end' event, which startServerSpan binds to the same context).
    nextInTrace(startServerSpan(resolved.name, profiler, req, reply.raw, req.url), next);
  });
  instance.addHook('onError', function osprofilerOnError(request, _reply, error, next): void {
    spanOf(request.raw)?.fail(error);
    next();
  });
  done();
}

// why: the closure lives here, not in the hook, where V8 would allocate its context on every
// request, untraced ones included.
function nextInTrace(span: ServerSpan, next: () => void): void {
  runInProfiler(span.profiler, () => next());
}

/**
 * Fastify plugin: requests with valid signed trace headers run inside their trace context and a
 * `wsgi` span (see `wrapListener`); errors reaching Fastify's error handler are recorded on the
 * stop with the status Fastify answers. Register it once, at the root:
 * `app.register(fastifyPlugin, { hmacKeys: 'SECRET_KEY' })`. It carries
 * `Symbol.for('skip-override')`, so its hooks apply to every route, in every encapsulated
 * context, with no need for the fastify-plugin package.
 * @since 0.1.0
 */
export const fastifyPlugin: FastifyPlugin = osprofiler;
Object.defineProperty(fastifyPlugin, Symbol.for('skip-override'), { value: true });
Object.defineProperty(fastifyPlugin, Symbol.for('fastify.display-name'), { value: 'osprofiler' });
