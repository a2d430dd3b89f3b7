// e2e chain service on Koa, traced with koaMiddleware.
import { createServer } from 'node:http';
import Koa from 'koa';
import { koaMiddleware } from '../../../src/instrumentation/http-server/koa.js';
import { answerChain, queryOf, serveOverIpc, setUpTracing } from './chain-service.js';

await setUpTracing();

const app = new Koa();
app.use(koaMiddleware());
app.use(async (ctx) => {
  if (ctx.path !== '/chain') return;
  const { status, body } = await answerChain(queryOf(ctx.originalUrl));
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = body;
});
serveOverIpc(createServer(app.callback()));
