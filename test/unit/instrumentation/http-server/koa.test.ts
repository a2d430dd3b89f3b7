import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Koa from 'koa';
import { currentProfiler } from '../../../../src/core/context.js';
import { koaMiddleware } from '../../../../src/instrumentation/http-server/koa.js';
import { serveEachTest } from '../../../helpers/framework-server.js';
import { KEY, PARENT, readBody, send, traceHeaders, waitFor } from '../../../helpers/http.js';

describe('koaMiddleware', () => {
  const { sent, serve } = serveEachTest();

  async function listen(): Promise<string> {
    const app = new Koa();
    app.silent = true;
    app.use(koaMiddleware({ hmacKeys: KEY }));
    app.use(async (ctx) => {
      if (ctx.path === '/boom') {
        await new Promise((resolve) => setTimeout(resolve, 1));
        throw new RangeError('out of range');
      }
      if (ctx.method === 'POST') {
        const body = await readBody(ctx.req);
        ctx.body = { length: body.length, trace: currentProfiler()?.getId() ?? null };
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
      ctx.status = 201;
      ctx.body = { trace: currentProfiler()?.getId() ?? null };
    });
    return serve(app.callback());
  }

  it('runs downstream middleware in the trace context, inside a wsgi span with the status on stop', async () => {
    const url = await listen();
    const reply = await send(`${url}/v2/servers?x=1`, { headers: traceHeaders() });
    assert.equal(reply.status, 201);
    await waitFor(() => sent.length === 2);
    assert.equal(JSON.parse(reply.body).trace, sent[0].trace_id);
    assert.deepEqual(sent[0].info.request, { path: '/v2/servers', query: 'x=1', method: 'GET', scheme: 'http' });
    assert.equal(sent[0].parent_id, PARENT);
    assert.deepEqual(sent[1].info.request, { status_code: 201 });
  });

  it('keeps the trace context while the body is read', async () => {
    const url = await listen();
    const reply = await send(`${url}/upload`, { method: 'POST', headers: traceHeaders(), body: 'y'.repeat(80_000) });
    await waitFor(() => sent.length === 2);
    assert.deepEqual(JSON.parse(reply.body), { length: 80_000, trace: sent[0].trace_id });
  });

  it('records a thrown error with the status Koa answers, and still lets Koa handle it', async () => {
    const url = await listen();
    const reply = await send(`${url}/boom`, { headers: traceHeaders() });
    assert.equal(reply.status, 500);
    await waitFor(() => sent.length === 2);
    assert.equal(sent[1].info.etype, 'RangeError');
    assert.equal(sent[1].info.message, 'out of range');
    assert.deepEqual(sent[1].info.request, { status_code: 500 });
  });

  it('passes untraced requests through untouched', async () => {
    const url = await listen();
    const reply = await send(`${url}/v2/servers`);
    assert.equal(JSON.parse(reply.body).trace, null);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(sent, []);
  });
});
