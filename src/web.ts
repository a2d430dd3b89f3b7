// osprofiler/web: tracing incoming requests (node:http, Express, Koa, Fastify) and outgoing ones.
export { wrapListener } from './instrumentation/http-server/node-http.js';
export {
  expressMiddleware,
  type ExpressMiddleware,
  type ExpressRequestLike,
} from './instrumentation/http-server/express.js';
export { koaMiddleware, type KoaMiddleware, type KoaContextLike } from './instrumentation/http-server/koa.js';
export {
  fastifyPlugin,
  type FastifyPlugin,
  type FastifyInstanceLike,
  type FastifyRequestLike,
  type FastifyReplyLike,
} from './instrumentation/http-server/fastify.js';
export type { WebTraceOptions } from './instrumentation/http-server/options.js';
export { startTrace, showCommandFor, type StartTraceResult } from './instrumentation/http-client/start-trace.js';
export {
  traceRequests,
  untraceRequests,
  TracingAgent,
  TracingHttpsAgent,
  canHookHttpHeaders,
  type TraceRequestsOptions,
  type AddRequestOptions,
} from './instrumentation/http-client/trace-requests.js';
