import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { resetWebTrace } from '../../../../src/config/web-trace.js';
import { currentProfiler } from '../../../../src/core/context.js';
import { setNotifier } from '../../../../src/notifier/notifier.js';
import { fastifyPlugin } from '../../../../src/instrumentation/http-server/fastify.js';
import { captureNotifications } from '../../../helpers/capture.js';
import { KEY, PARENT, traceHeaders, waitFor } from '../../../helpers/http.js';

describe('fastifyPlugin', () => {
  const { sent, listen } = captureNotifications();
  let app: FastifyInstance | undefined;
  let url: string;

  beforeEach(async () => {
    listen();
    app = Fastify();
    await app.register(fastifyPlugin, { hmacKeys: KEY });
    app.get('/v2/servers', async () => ({ trace: currentProfiler()?.getId() ?? null }));
    app.post('/echo', async (request) => ({
      length: (request.body as { data: string }).data.length,
      trace: currentProfiler()?.getId() ?? null,
    }));
    app.get('/boom', async () => {
      throw new SyntaxError('bad input');
    });
    // routes in an encapsulated child context
    await app.register(
      async (child) => {
        child.get('/inner', async () => ({ trace: currentProfiler()?.getId() ?? null }));
      },
      { prefix: '/child' },
    );
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    setNotifier(undefined);
    resetWebTrace();
  });

  it('says it must not be encapsulated, without fastify-plugin', () => {
    assert.equal((fastifyPlugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')], true);
  });

  it('runs the handler in the trace context, inside a wsgi span with the status on stop', async () => {
    const reply = await fetch(`${url}/v2/servers?limit=1`, { headers: traceHeaders() });
    const body = (await reply.json()) as { trace: string };
    await waitFor(() => sent.length === 2);
    assert.equal(body.trace, sent[0].trace_id);
    assert.equal(sent[0].parent_id, PARENT);
    assert.deepEqual(sent[0].info.request, { path: '/v2/servers', query: 'limit=1', method: 'GET', scheme: 'http' });
    assert.deepEqual(sent[1].info.request, { status_code: 200 });
  });

  it('keeps the trace context after Fastify parsed a request body', async () => {
    const reply = await fetch(`${url}/echo`, {
      method: 'POST',
      headers: { ...traceHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify({ data: 'z'.repeat(60_000) }),
    });
    const body = (await reply.json()) as { length: number; trace: string };
    await waitFor(() => sent.length === 2);
    assert.deepEqual(body, { length: 60_000, trace: sent[0].trace_id });
  });

  it('traces routes of encapsulated child contexts too', async () => {
    const reply = await fetch(`${url}/child/inner`, { headers: traceHeaders() });
    const body = (await reply.json()) as { trace: string };
    await waitFor(() => sent.length === 2);
    assert.equal(body.trace, sent[0].trace_id);
  });

  it('records an error reaching the error handler with the status Fastify answers', async () => {
    const reply = await fetch(`${url}/boom`, { headers: traceHeaders() });
    assert.equal(reply.status, 500);
    await reply.arrayBuffer();
    await waitFor(() => sent.length === 2);
    assert.equal(sent[1].info.etype, 'SyntaxError');
    assert.equal(sent[1].info.message, 'bad input');
    assert.deepEqual(sent[1].info.request, { status_code: 500 });
  });

  it('passes untraced requests through untouched', async () => {
    const reply = await fetch(`${url}/v2/servers`);
    assert.deepEqual(await reply.json(), { trace: null });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(sent, []);
  });
});
