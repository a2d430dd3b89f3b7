import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { resetWebTrace } from '../../../../src/config/web-trace.js';
import { currentProfiler } from '../../../../src/core/context.js';
import type { Profiler } from '../../../../src/core/profiler.js';
import { setNotifier } from '../../../../src/notifier/notifier.js';
import type { Notification } from '../../../../src/core/payload.js';
import { signedPack } from '../../../../src/propagation/signing.js';
import { resolveWebOptions } from '../../../../src/instrumentation/http-server/options.js';
import {
  acceptRequest,
  quotePath,
  requestInfo,
  spanOf,
  startServerSpan,
} from '../../../../src/instrumentation/http-server/request-span.js';

const BASE = '1d5b4a0c-6f5e-4c3b-9a2d-8e7f6a5b4c3d';
const PARENT = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';

function signed(key: string, data: Record<string, unknown> = { base_id: BASE, parent_id: PARENT }) {
  const [info, hmac] = signedPack(data, key);
  return { 'x-trace-info': info, 'x-trace-hmac': hmac! };
}

function fakeReq(headers: Record<string, string>, url = '/p?q=1', encrypted = false): IncomingMessage {
  const req = new EventEmitter() as unknown as IncomingMessage & Record<string, unknown>;
  req.headers = headers;
  req.url = url;
  req.method = 'GET';
  (req as { socket: unknown }).socket = { encrypted };
  return req;
}

interface FakeRes extends EventEmitter {
  headersSent: boolean;
  statusCode: number;
  statusMessage: string;
  writableFinished: boolean;
}

function fakeRes(): FakeRes & ServerResponse {
  const res = new EventEmitter() as FakeRes;
  res.headersSent = false;
  res.statusCode = 200;
  res.statusMessage = '';
  res.writableFinished = false;
  return res as FakeRes & ServerResponse;
}

describe('quotePath', () => {
  it('leaves a path of safe characters as it is', () => {
    assert.equal(quotePath("/v2/servers/a-b_c.d~e!$&'()*+,;=:@"), "/v2/servers/a-b_c.d~e!$&'()*+,;=:@");
  });

  it('keeps percent-encoded bytes that must stay encoded, in upper-case hex', () => {
    assert.equal(quotePath('/v2/servers/a%20b/%C3%BC'), '/v2/servers/a%20b/%C3%BC');
    assert.equal(quotePath('/a%c3%bc'), '/a%C3%BC');
  });

  it('decodes percent-encoded safe characters as WebOb does', () => {
    assert.equal(quotePath('/a%7eb%41'), '/a~bA');
    assert.equal(quotePath('/a%2Fb'), '/a/b');
  });

  it('quotes a lone or invalid percent sign', () => {
    assert.equal(quotePath('/100%'), '/100%25');
    assert.equal(quotePath('/%zz'), '/%25zz');
  });

  it('quotes latin-1 characters as single bytes and others as UTF-8', () => {
    assert.equal(quotePath('/\u00fc'), '/%FC');
    assert.equal(quotePath('/\u20ac'), '/%E2%82%AC');
    assert.equal(quotePath('/"<>'), '/%22%3C%3E');
  });
});

describe('requestInfo', () => {
  it('splits the raw target into path and query, without the "?"', () => {
    assert.deepEqual(requestInfo(fakeReq({}, '/v2/servers/detail?limit=10&name=a%20b'), undefined), {
      request: { path: '/v2/servers/detail', query: 'limit=10&name=a%20b', method: 'GET', scheme: 'http' },
    });
  });

  it('prefers the url the framework passes over req.url', () => {
    const info = requestInfo(fakeReq({}, '/inner'), '/mount/inner?x');
    assert.deepEqual(info.request, { path: '/mount/inner', query: 'x', method: 'GET', scheme: 'http' });
  });

  it('reports https only for a TLS connection', () => {
    assert.equal((requestInfo(fakeReq({}, '/', true), undefined).request as { scheme: string }).scheme, 'https');
    const forwarded = fakeReq({ 'x-forwarded-proto': 'https' }, '/');
    assert.equal((requestInfo(forwarded, undefined).request as { scheme: string }).scheme, 'http');
  });

  it('takes the path of an absolute-form target', () => {
    assert.equal((requestInfo(fakeReq({}, 'http://h:1/x/y?z'), undefined).request as { path: string }).path, '/x/y');
    assert.equal((requestInfo(fakeReq({}, 'http://h:1'), undefined).request as { path: string }).path, '/');
  });
});

describe('acceptRequest', () => {
  afterEach(() => resetWebTrace());
  const options = resolveWebOptions({ hmacKeys: 'SECRET_KEY' });

  it('returns a profiler for the received base and parent when the signature is valid', () => {
    const profiler = acceptRequest(options, fakeReq(signed('SECRET_KEY')));
    assert.ok(profiler);
    assert.equal(profiler.getBaseId(), BASE);
    assert.equal(profiler.getId(), PARENT);
    assert.equal(profiler.hmacKey, 'SECRET_KEY');
  });

  it('returns nothing without headers, with a bad signature, or with tracing off', () => {
    assert.equal(acceptRequest(options, fakeReq({})), undefined);
    assert.equal(acceptRequest(options, fakeReq(signed('other'))), undefined);
    assert.equal(
      acceptRequest(resolveWebOptions({ hmacKeys: 'SECRET_KEY', enabled: false }), fakeReq(signed('SECRET_KEY'))),
      undefined,
    );
    assert.equal(acceptRequest(options, fakeReq(signed('SECRET_KEY', { base_id: BASE, evil: 1 }))), undefined);
  });

  it('returns nothing for a request another entry point already traces', () => {
    const req = fakeReq(signed('SECRET_KEY'));
    const profiler = acceptRequest(options, req)!;
    startServerSpan('wsgi', profiler, req, fakeRes(), undefined);
    assert.ok(spanOf(req));
    assert.equal(acceptRequest(options, req), undefined);
  });
});

describe('ServerSpan', () => {
  let sent: Notification[];
  beforeEach(() => {
    sent = [];
    setNotifier((n) => sent.push(n));
  });
  afterEach(() => setNotifier(undefined));

  function start() {
    const req = fakeReq(signed('SECRET_KEY'));
    const res = fakeRes();
    const profiler = acceptRequest(resolveWebOptions({ hmacKeys: 'SECRET_KEY' }), req)!;
    const span = startServerSpan('wsgi', profiler, req, res, undefined);
    return { req, res, profiler, span };
  }

  it('stops once with the status when the response finishes, even if close follows', () => {
    const { res } = start();
    res.headersSent = true;
    res.statusCode = 201;
    res.writableFinished = true;
    res.emit('finish');
    res.emit('close');
    assert.deepEqual(
      sent.map((n) => n.name),
      ['wsgi-start', 'wsgi-stop'],
    );
    assert.deepEqual(sent[1].info, { request: { status_code: 201 }, host: sent[1].info.host });
  });

  it('marks a 5xx response as an HTTPError', () => {
    const { res } = start();
    Object.assign(res, { headersSent: true, statusCode: 503, writableFinished: true });
    res.emit('finish');
    assert.equal(sent[1].info.etype, 'HTTPError');
    assert.equal(sent[1].info.message, '503 Service Unavailable');
  });

  it('marks a connection closed before the response finished as aborted, without a status', () => {
    const { res } = start();
    res.emit('close');
    assert.equal(sent[1].info.etype, 'RequestAborted');
    assert.equal('request' in sent[1].info, false);
  });

  it('carries a recorded error with the status of the answer', () => {
    const { res, span } = start();
    class Boom extends Error {}
    span.fail(new Boom('bad'));
    assert.equal(sent.length, 1);
    Object.assign(res, { headersSent: true, statusCode: 500, writableFinished: true });
    res.emit('finish');
    assert.equal(sent[1].info.etype, 'Boom');
    assert.equal(sent[1].info.message, 'bad');
    assert.deepEqual(sent[1].info.request, { status_code: 500 });
  });

  it('stops the server span even when the handler left a point of its own open', () => {
    const { res, profiler } = start();
    const spanId = sent[0].trace_id;
    profiler.start('leaked');
    Object.assign(res, { headersSent: true, writableFinished: true });
    res.emit('finish');
    assert.equal(sent[2].name, 'wsgi-stop');
    assert.equal(sent[2].trace_id, spanId);
  });

  it('stops on finish even after the app removed every response listener', () => {
    const { res } = start();
    res.removeAllListeners();
    Object.assign(res, { headersSent: true, writableFinished: true });
    res.emit('finish');
    assert.deepEqual(
      sent.map((n) => n.name),
      ['wsgi-start', 'wsgi-stop'],
    );
  });

  it('hands every response event to its listeners unchanged, after the stop', () => {
    const { res } = start();
    const got: unknown[][] = [];
    res.on('finish', (...args: unknown[]) => got.push([sent.length, ...args]));
    res.on('drain', (...args: unknown[]) => got.push(['drain', ...args]));
    Object.assign(res, { headersSent: true, writableFinished: true });
    assert.equal(res.emit('drain', 'x'), true);
    assert.equal(res.emit('finish', 1, 2), true);
    assert.equal(res.emit('other'), false);
    assert.deepEqual(got, [
      ['drain', 'x'],
      [2, 1, 2],
    ]);
  });

  it('runs the request events in the trace context, with the server span on top', () => {
    const { req, span } = start();
    let seen: Profiler | undefined;
    req.on('end', () => (seen = currentProfiler()));
    req.emit('end');
    assert.equal(seen, span.profiler);
    assert.equal(seen!.getBaseId(), BASE);
    assert.equal(seen!.getId(), sent[0].trace_id, 'the server span is on top');
    assert.equal(seen!.getParentId(), PARENT);
  });
});
