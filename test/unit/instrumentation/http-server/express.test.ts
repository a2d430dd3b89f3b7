import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import express from 'express';
import { currentProfiler } from '../../../../src/core/context.js';
import { expressMiddleware } from '../../../../src/instrumentation/http-server/express.js';
import { serveEachTest } from '../../../helpers/framework-server.js';
import { KEY, PARENT, send, traceHeaders, waitFor } from '../../../helpers/http.js';

type ExpressFactory = typeof express;

// why: express4 is the npm alias of Express 4 and ships no types; it has the same app shape.
const express4 = ((await import('express4' as string)) as { default: ExpressFactory }).default;

for (const [label, factory] of [
  ['Express 5', express],
  ['Express 4', express4],
] as const) {
  describe(`expressMiddleware on ${label}`, () => {
    const { sent, serve: listen } = serveEachTest();

    function buildApp() {
      const app = factory();
      app.use(expressMiddleware({ hmacKeys: KEY }));
      app.use(factory.json());
      const router = factory.Router();
      router.get('/servers/:id', (req, res) => {
        res.json({ id: req.params.id, trace: currentProfiler()?.getId() ?? null });
      });
      app.use('/v2', router);
      app.post('/echo', (req, res) => {
        res.json({ body: req.body, trace: currentProfiler()?.getId() ?? null });
      });
      app.get('/boom', () => {
        throw new Error('kaput');
      });
      // why: Express logs handler errors to stderr unless an error handler answers them.
      app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(500).end('failed');
      });
      return app;
    }

    it('traces a routed request under the original path, with the status on stop', async () => {
      const url = await listen(buildApp());
      const reply = await send(`${url}/v2/servers/42?fields=name`, { headers: traceHeaders() });
      assert.equal(reply.status, 200);
      await waitFor(() => sent.length === 2);
      const body = JSON.parse(reply.body);
      assert.equal(body.trace, sent[0].trace_id);
      assert.equal(sent[0].parent_id, PARENT);
      assert.deepEqual(sent[0].info.request, {
        path: '/v2/servers/42',
        query: 'fields=name',
        method: 'GET',
        scheme: 'http',
      });
      assert.deepEqual(sent[1].info.request, { status_code: 200 });
    });

    it('keeps the trace context after express.json() read the body', async () => {
      const url = await listen(buildApp());
      const reply = await send(`${url}/echo`, {
        method: 'POST',
        headers: { ...traceHeaders(), 'content-type': 'application/json' },
        body: JSON.stringify({ data: 'x'.repeat(50_000) }),
      });
      await waitFor(() => sent.length === 2);
      const body = JSON.parse(reply.body);
      assert.equal(body.body.data.length, 50_000);
      assert.equal(body.trace, sent[0].trace_id);
    });

    it('records a failing handler as a 5xx stop', async () => {
      const url = await listen(buildApp());
      const reply = await send(`${url}/boom`, { headers: traceHeaders() });
      assert.equal(reply.status, 500);
      await waitFor(() => sent.length === 2);
      assert.equal(sent[1].info.etype, 'HTTPError');
      assert.deepEqual(sent[1].info.request, { status_code: 500 });
    });

    it('passes untraced requests through untouched', async () => {
      const url = await listen(buildApp());
      const reply = await send(`${url}/v2/servers/1`);
      assert.equal(JSON.parse(reply.body).trace, null);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(sent, []);
    });
  });
}
