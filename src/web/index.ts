// osprofiler/web: tracing incoming requests (node:http, Express, Koa, Fastify) and outgoing ones.
export { wrapListener } from './node-http.js';
export { expressMiddleware, type ExpressMiddleware, type ExpressRequestLike } from './express.js';
export { koaMiddleware, type KoaMiddleware, type KoaContextLike } from './koa.js';
export {
  fastifyPlugin,
  type FastifyPlugin,
  type FastifyInstanceLike,
  type FastifyRequestLike,
  type FastifyReplyLike,
} from './fastify.js';
export type { WebTraceOptions } from './options.js';
export { startTrace, showCommandFor, type StartTraceResult } from './start-trace.js';
export {
  traceRequests,
  untraceRequests,
  TracingAgent,
  TracingHttpsAgent,
  canHookHttpHeaders,
  type TraceRequestsOptions,
  type AddRequestOptions,
} from '../http-client/index.js';
