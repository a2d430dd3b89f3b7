import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import express from 'express';
import { resetWebTrace } from '../../../src/config/web-trace.js';
import { currentProfiler } from '../../../src/context.js';
import { setNotifier } from '../../../src/notifier/notifier.js';
import type { Notification } from '../../../src/payload.js';
import { signedPack } from '../../../src/signing.js';
import { expressMiddleware } from '../../../src/web/express.js';

const KEY = 'SECRET_KEY';
const BASE = '1d5b4a0c-6f5e-4c3b-9a2d-8e7f6a5b4c3d';
const PARENT = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';

function traceHeaders(): Record<string, string> {
  const [info, hmac] = signedPack({ base_id: BASE, parent_id: PARENT }, KEY);
  return { 'X-Trace-Info': info, 'X-Trace-HMAC': hmac! };
}

function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function waitFor(condition: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

type ExpressFactory = typeof express;

// why: express4 is the npm alias of Express 4 and ships no types; it has the same app shape.
const express4 = ((await import('express4' as string)) as { default: ExpressFactory }).default;

for (const [label, factory] of [
  ['Express 5', express],
  ['Express 4', express4],
] as const) {
  describe(`expressMiddleware on ${label}`, () => {
    let sent: Notification[];
    let server: http.Server | undefined;

    beforeEach(() => {
      sent = [];
      setNotifier((n) => sent.push(n));
    });
    afterEach(async () => {
      setNotifier(undefined);
      resetWebTrace();
      if (server !== undefined) {
        server.closeAllConnections();
        await new Promise((resolve) => server!.close(resolve));
        server = undefined;
      }
    });

    async function listen(app: ReturnType<ExpressFactory>): Promise<string> {
      server = http.createServer(app);
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }

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
