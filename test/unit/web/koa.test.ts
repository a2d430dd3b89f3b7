import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Koa from 'koa';
import { resetWebTrace } from '../../../src/config/web-trace.js';
import { currentProfiler } from '../../../src/context.js';
import { setNotifier } from '../../../src/notifier/notifier.js';
import type { Notification } from '../../../src/payload.js';
import { signedPack } from '../../../src/signing.js';
import { koaMiddleware } from '../../../src/web/koa.js';

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

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
  });
}

describe('koaMiddleware', () => {
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
    server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
