import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Profiler } from '../../../../src/core/profiler.js';
import {
  requestsInfo,
  schemeOf,
  startClientSpan,
  stopAborted,
  stopWithError,
  stopWithStatus,
  type SpanHolder,
} from '../../../../src/instrumentation/http-client/client-span.js';
import { captureEachTest } from '../../../helpers/capture.js';

describe('requestsInfo', () => {
  const target = { method: 'GET', scheme: 'http', hostname: 'h', port: undefined, pathAndQuery: '/' };

  it('guesses port 80 for http and 443 for https when none is given', () => {
    assert.equal((requestsInfo(target).requests as { port: number }).port, 80);
    assert.equal((requestsInfo({ ...target, scheme: 'https' }).requests as { port: number }).port, 443);
    assert.equal((requestsInfo({ ...target, port: 8774 }).requests as { port: number }).port, 8774);
  });

  it('splits the raw query off the path without the "?" and drops a fragment', () => {
    assert.deepEqual(requestsInfo({ ...target, pathAndQuery: '/v2.1/servers?all=1&x=%20y#frag' }).requests, {
      method: 'GET',
      query: 'all=1&x=%20y',
      path: '/v2.1/servers',
      hostname: 'h',
      port: 80,
      scheme: 'http',
    });
  });

  it('lower-cases the host name and drops IPv6 brackets, as urlparse does', () => {
    assert.equal(
      (requestsInfo({ ...target, hostname: 'Compute.Example.TEST' }).requests as { hostname: string }).hostname,
      'compute.example.test',
    );
    assert.equal((requestsInfo({ ...target, hostname: '[::1]' }).requests as { hostname: string }).hostname, '::1');
  });

  it('reads the scheme from a protocol', () => {
    assert.equal(schemeOf('https:'), 'https');
    assert.equal(schemeOf('HTTP:'), 'http');
    assert.equal(schemeOf(undefined), 'http');
  });
});

describe('client spans', () => {
  const sent = captureEachTest();

  const target = { method: 'PUT', scheme: 'https', hostname: 'h', port: 8443, pathAndQuery: '/x' };

  it("opens a child of the current point without touching the caller's stack", () => {
    const profiler = new Profiler('k', 'b0000000-0000-4000-8000-000000000000', 'p0000000-0000-4000-8000-000000000000');
    const holder: SpanHolder = {};
    const headers = startClientSpan(profiler, holder, target);
    assert.equal(profiler.getId(), 'p0000000-0000-4000-8000-000000000000');
    assert.equal(sent[0].name, 'https-start');
    assert.equal(sent[0].parent_id, 'p0000000-0000-4000-8000-000000000000');
    assert.deepEqual(Object.keys(headers), ['X-Trace-Info', 'X-Trace-HMAC']);
  });

  it('sends no headers for a profiler without a key, but still records the span', () => {
    const holder: SpanHolder = {};
    const headers = startClientSpan(new Profiler(undefined), holder, target);
    assert.deepEqual(headers, {});
    stopWithStatus(holder, 204);
    assert.deepEqual(
      sent.map((n) => n.name),
      ['https-start', 'https-stop'],
    );
  });

  it('stops at most once, whichever way the request ends', () => {
    const holder: SpanHolder = {};
    startClientSpan(new Profiler('k'), holder, target);
    stopWithStatus(holder, 200);
    stopWithError(holder, new Error('late'));
    stopAborted(holder);
    assert.equal(sent.length, 2);
    assert.deepEqual(sent[1].info.requests, { status_code: 200 });
  });

  it('carries etype/message on an error stop and RequestAborted on a close without answer', () => {
    const failed: SpanHolder = {};
    startClientSpan(new Profiler('k'), failed, target);
    stopWithError(failed, new RangeError('nope'));
    assert.equal(sent[1].info.etype, 'RangeError');
    assert.equal(sent[1].info.message, 'nope');
    const closed: SpanHolder = {};
    startClientSpan(new Profiler('k'), closed, target);
    stopAborted(closed);
    assert.equal(sent[3].info.etype, 'RequestAborted');
  });
});
