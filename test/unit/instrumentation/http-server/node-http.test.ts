import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { disableWebTrace, resetWebTrace } from '../../../../src/config/web-trace.js';
import { currentProfiler } from '../../../../src/core/context.js';
import { setNotifier } from '../../../../src/notifier/notifier.js';
import type { Profiler } from '../../../../src/core/profiler.js';
import { wrapListener } from '../../../../src/instrumentation/http-server/node-http.js';
import { captureNotifications } from '../../../helpers/capture.js';
import { BASE, KEY, PARENT, closeServer, listenLocal, send, traceHeaders, waitFor } from '../../../helpers/http.js';

async function serve(listener: RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(listener);
  const url = await listenLocal(server);
  return { url, close: () => closeServer(server) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('wrapListener', () => {
  const { sent, listen } = captureNotifications();
  let closers: Array<() => Promise<void>>;

  beforeEach(() => {
    closers = [];
    listen();
  });
  afterEach(async () => {
    for (const close of closers) await close();
    setNotifier(undefined);
    resetWebTrace();
  });

  async function start(listener: (req: IncomingMessage, res: ServerResponse) => unknown, options = { hmacKeys: KEY }) {
    const server = await serve(wrapListener(listener, options));
    closers.push(server.close);
    return server.url;
  }

  it('traces a signed request in a wsgi span whose stop carries the status', async () => {
    let seen: Profiler | undefined;
    const url = await start((_req, res) => {
      seen = currentProfiler();
      res.statusCode = 202;
      res.end('ok');
    });
    const reply = await send(`${url}/v2/servers?all=1`, { headers: traceHeaders() });
    assert.equal(reply.status, 202);
    await waitFor(() => sent.length === 2);
    const [startN, stopN] = sent;
    assert.equal(startN.name, 'wsgi-start');
    assert.equal(startN.base_id, BASE);
    assert.equal(startN.parent_id, PARENT);
    assert.deepEqual(startN.info.request, { path: '/v2/servers', query: 'all=1', method: 'GET', scheme: 'http' });
    assert.equal(stopN.name, 'wsgi-stop');
    assert.equal(stopN.trace_id, startN.trace_id);
    assert.deepEqual(stopN.info, { request: { status_code: 202 }, host: stopN.info.host });
    assert.ok(seen);
    assert.equal(seen.getId(), startN.trace_id);
    assert.equal(seen.getBaseId(), BASE);
  });

  it('uses the base id as parent when the caller sent none', async () => {
    const url = await start((_req, res) => res.end());
    await send(url, { headers: traceHeaders(KEY, null) });
    await waitFor(() => sent.length === 2);
    assert.equal(sent[0].parent_id, BASE);
  });

  it('uses a configured span name', async () => {
    const server = await serve(wrapListener((_req, res) => res.end(), { hmacKeys: KEY, name: 'api' }));
    closers.push(server.close);
    await send(server.url, { headers: traceHeaders() });
    await waitFor(() => sent.length === 2);
    assert.deepEqual(
      sent.map((n) => n.name),
      ['api-start', 'api-stop'],
    );
  });

  it('does nothing for requests without headers, with a wrong key, or with tracing disabled', async () => {
    const seen: Array<Profiler | undefined> = [];
    const url = await start((_req, res) => {
      seen.push(currentProfiler());
      res.end();
    });
    await send(url);
    await send(url, { headers: traceHeaders('not-our-key') });
    disableWebTrace();
    await send(url, { headers: traceHeaders() });
    await sleep(20);
    assert.deepEqual(sent, []);
    assert.deepEqual(seen, [undefined, undefined, undefined]);
  });

  it('ends the span when a streamed response finishes, not when the listener returns', async () => {
    const order: string[] = [];
    setNotifier((n) => {
      sent.push(n);
      order.push(n.name);
    });
    const url = await start((_req, res) => {
      res.write('a');
      order.push('listener returned');
      setTimeout(() => {
        res.write('b');
        setTimeout(() => {
          order.push('end');
          res.end('c');
        }, 20);
      }, 20);
    });
    const reply = await send(url, { headers: traceHeaders() });
    assert.equal(reply.body, 'abc');
    await waitFor(() => sent.length === 2);
    assert.deepEqual(order, ['wsgi-start', 'listener returned', 'end', 'wsgi-stop']);
  });

  it('ends the span as aborted when the client goes away before the answer', async () => {
    let arrived!: () => void;
    const gotRequest = new Promise<void>((resolve) => (arrived = resolve));
    const url = await start(() => arrived());
    const req = http.request(url, { headers: traceHeaders(), agent: false });
    req.on('error', () => {});
    req.end();
    await gotRequest;
    req.destroy();
    await waitFor(() => sent.length === 2);
    assert.equal(sent[1].info.etype, 'RequestAborted');
    assert.equal('request' in sent[1].info, false);
  });

  it('records a 5xx answer as an HTTPError with its status', async () => {
    const url = await start((_req, res) => {
      res.statusCode = 502;
      res.end();
    });
    await send(url, { headers: traceHeaders() });
    await waitFor(() => sent.length === 2);
    assert.equal(sent[1].info.etype, 'HTTPError');
    assert.equal(sent[1].info.message, '502 Bad Gateway');
    assert.deepEqual(sent[1].info.request, { status_code: 502 });
  });

  it('stops with etype/message when the listener throws, and lets the error through', async () => {
    class ValueError extends Error {}
    const wrapped = wrapListener(
      () => {
        throw new ValueError('boom');
      },
      { hmacKeys: KEY },
    );
    let caught: unknown;
    const server = await serve((req, res) => {
      try {
        wrapped(req, res);
      } catch (error) {
        caught = error;
        res.statusCode = 500;
        res.end();
      }
    });
    closers.push(server.close);
    const reply = await send(server.url, { headers: traceHeaders() });
    assert.equal(reply.status, 500);
    assert.ok(caught instanceof ValueError);
    assert.equal(sent.length, 2);
    assert.deepEqual(sent[1].info, { etype: 'ValueError', message: 'boom', host: sent[1].info.host });
  });

  it('keeps the trace context in request body listeners', async () => {
    const seen: Array<string | undefined> = [];
    const url = await start((req, res) => {
      req.on('data', () => seen.push(currentProfiler()?.getBaseId()));
      req.on('end', () => {
        seen.push(currentProfiler()?.getBaseId());
        res.end();
      });
    });
    await send(url, { method: 'POST', headers: traceHeaders(), body: 'x'.repeat(100_000) });
    assert.ok(seen.length >= 2);
    assert.ok(seen.every((id) => id === BASE));
  });

  it('gives concurrent requests their own profiler and an untraced request on the same connection none', async () => {
    const seen: Array<string | undefined> = [];
    const url = await start(async (req, res) => {
      await sleep(10);
      seen.push(`${req.url}:${currentProfiler()?.getId() ?? 'none'}`);
      res.end();
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const other = '0a0b0c0d-0000-4000-8000-000000000001';
      await Promise.all([
        send(`${url}/a`, { headers: traceHeaders(KEY, PARENT) }),
        send(`${url}/b`, { headers: traceHeaders(KEY, other) }),
      ]);
      await send(`${url}/c`, { agent });
      await send(`${url}/d`, { agent, headers: traceHeaders() });
      await send(`${url}/e`, { agent });
    } finally {
      agent.destroy();
    }
    await waitFor(() => sent.length === 6);
    const spanOf = (path: string) =>
      sent.find((n) => n.name === 'wsgi-start' && (n.info.request as { path: string }).path === path)!.trace_id;
    assert.ok(seen.includes(`/a:${spanOf('/a')}`));
    assert.ok(seen.includes(`/b:${spanOf('/b')}`));
    assert.ok(seen.includes('/c:none'));
    assert.ok(seen.includes(`/d:${spanOf('/d')}`));
    assert.ok(seen.includes('/e:none'));
  });

  it('makes one span when two entry points wrap the same request', async () => {
    const inner = wrapListener((_req, res) => res.end(), { hmacKeys: KEY });
    const url = await start((req, res) => inner(req, res));
    await send(url, { headers: traceHeaders() });
    await waitFor(() => sent.length === 2);
    await sleep(10);
    assert.equal(sent.length, 2);
  });

  it('leaves no profiler in the caller after the listener returns', async () => {
    let after: Profiler | undefined | 'unset' = 'unset';
    const wrapped = wrapListener((_req, res: ServerResponse) => res.end(), { hmacKeys: KEY });
    const server = await serve((req, res) => {
      wrapped(req, res);
      after = currentProfiler();
    });
    closers.push(server.close);
    await send(server.url, { headers: traceHeaders() });
    assert.equal(after, undefined);
  });
});

function runScript(script: string): { status: number | null; stdout: string; stderr: string } {
  const root = fileURLToPath(new URL('../../../..', import.meta.url));
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('wrapListener in a fresh process', () => {
  it('stops with etype/message when an async listener rejects, and the rejection stays unhandled', () => {
    const child = runScript(`
      import http from 'node:http';
      import { wrapListener } from './src/instrumentation/http-server/node-http.ts';
      import { setNotifier } from './src/notifier/notifier.ts';
      import { signedPack } from './src/propagation/signing.ts';
      const sent = [];
      const rejections = [];
      setNotifier((n) => sent.push(n));
      process.on('unhandledRejection', (reason) => rejections.push(reason.message));
      const server = http.createServer(wrapListener(async (req, res) => {
        await new Promise((r) => setTimeout(r, 1));
        res.end();
        throw new TypeError('late');
      }, { hmacKeys: 'SECRET_KEY' }));
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const [info, hmac] = signedPack({ base_id: '1d5b4a0c-6f5e-4c3b-9a2d-8e7f6a5b4c3d' }, 'SECRET_KEY');
      await new Promise((resolve, reject) => {
        http.get('http://127.0.0.1:' + server.address().port + '/', { headers: { 'X-Trace-Info': info, 'X-Trace-HMAC': hmac }, agent: false },
          (res) => { res.resume(); res.on('end', resolve); }).on('error', reject);
      });
      await new Promise((r) => setTimeout(r, 50));
      console.log(JSON.stringify({ stop: sent[1]?.info, rejections }));
      server.close();
    `);
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout.trim());
    assert.equal(out.stop.etype, 'TypeError');
    assert.equal(out.stop.message, 'late');
    assert.deepEqual(out.rejections, ['late']);
  });

  it('never starts an AsyncLocalStorage for untraced, unsigned or disabled requests, nor for untraced outgoing ones', () => {
    const child = runScript(`
      import http from 'node:http';
      import { wrapListener, traceRequests } from './src/web.ts';
      import { contextStarted } from './src/core/context.ts';
      import { disableWebTrace } from './src/config/web-trace.ts';
      import { signedPack } from './src/propagation/signing.ts';
      const server = http.createServer(wrapListener((req, res) => res.end('ok'), { hmacKeys: 'SECRET_KEY' }));
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const url = 'http://127.0.0.1:' + server.address().port + '/';
      const get = (headers) => new Promise((resolve, reject) => {
        http.get(url, { headers, agent: false }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject);
      });
      const [info, hmac] = signedPack({ base_id: '1d5b4a0c-6f5e-4c3b-9a2d-8e7f6a5b4c3d' }, 'SECRET_KEY');
      await get({});
      await get({ 'X-Trace-Info': info, 'X-Trace-HMAC': 'bad' });
      await get({ 'X-Trace-Info': info });
      const [otherInfo, otherHmac] = signedPack({ base_id: '1d5b4a0c-6f5e-4c3b-9a2d-8e7f6a5b4c3d' }, 'other');
      await get({ 'X-Trace-Info': otherInfo, 'X-Trace-HMAC': otherHmac });
      traceRequests();
      await (await fetch(url)).text();
      await get({});
      const untraced = contextStarted();
      disableWebTrace();
      await get({ 'X-Trace-Info': info, 'X-Trace-HMAC': hmac });
      const disabled = contextStarted();
      const { enableWebTrace } = await import('./src/config/web-trace.ts');
      enableWebTrace('SECRET_KEY');
      await get({ 'X-Trace-Info': info, 'X-Trace-HMAC': hmac });
      console.log(JSON.stringify({ untraced, disabled, traced: contextStarted() }));
      server.close();
    `);
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout.trim()), { untraced: false, disabled: false, traced: true });
  });
});
