// e2e chain service on Fastify, traced with fastifyPlugin.
import Fastify from 'fastify';
import { fastifyPlugin } from '../../../src/instrumentation/http-server/fastify.js';
import { answerChain, queryOf, serveOverIpc, setUpTracing } from './chain-service.js';

await setUpTracing();

const app = Fastify();
await app.register(fastifyPlugin);
app.get('/chain', async (request, reply) => {
  const { status, body } = await answerChain(queryOf(request.url));
  return reply.code(status).type('application/json').send(body);
});
await app.listen({ port: 0, host: '127.0.0.1' });
serveOverIpc(app.server);
