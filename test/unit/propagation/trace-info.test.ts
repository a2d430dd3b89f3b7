import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { enableWebTrace, resetWebTrace } from '../../../src/config/web-trace.js';
import { currentProfiler } from '../../../src/core/context.js';
import { runWithProfiler } from '../../../src/core/current.js';
import { setNotifier } from '../../../src/notifier/notifier.js';
import type { Notification } from '../../../src/core/payload.js';
import { Profiler } from '../../../src/core/profiler.js';
import {
  extractContextTraceInfo,
  injectContextTraceInfo,
  readSignedTraceHeaders,
  readTraceInfo,
  serializeTraceInfo,
  traceHeaders,
  withTraceHeaders,
  withTraceInfo,
} from '../../../src/propagation/trace-info.js';
import { withTrace } from '../../../src/core/trace.js';

const BASE = 'c0ffee00-0000-4000-8000-000000000001';
const PARENT = '11111111-1111-4111-8111-111111111111';

let sent: Notification[] = [];
beforeEach(() => {
  sent = [];
  setNotifier((n) => sent.push(n));
});
afterEach(() => {
  setNotifier(undefined);
  resetWebTrace();
});

const inTrace = <R>(fn: () => R): R => runWithProfiler(new Profiler('secret', BASE, PARENT), fn);
const inKeylessTrace = <R>(fn: () => R): R => runWithProfiler(new Profiler(undefined, BASE, PARENT), fn);

describe('serializeTraceInfo()', () => {
  it('is undefined outside a trace', () => {
    assert.equal(serializeTraceInfo(), undefined);
  });

  it('gives {hmac_key, base_id, parent_id} in that order, the parent being the current point', () => {
    const info = inTrace(() => withTrace('rpc', undefined, () => serializeTraceInfo()));
    const start = sent.find((n) => n.name === 'rpc-start')!;
    assert.deepEqual(Object.keys(info!), ['hmac_key', 'base_id', 'parent_id']);
    assert.deepEqual(info, { hmac_key: 'secret', base_id: BASE, parent_id: start.trace_id });
  });

  it('gives the received parent id when no point is open', () => {
    assert.deepEqual(
      inTrace(() => serializeTraceInfo()),
      { hmac_key: 'secret', base_id: BASE, parent_id: PARENT },
    );
  });

  it("sends an empty key when the profiler has none (Python's init needs the key present)", () => {
    assert.equal(inKeylessTrace(() => serializeTraceInfo())?.hmac_key, '');
  });
});

describe('withTraceInfo()', () => {
  it('runs fn in the restored trace: its points are children of the sender’s point', () => {
    const info = inTrace(() => withTrace('rpc', undefined, () => serializeTraceInfo()))!;
    const sender = sent.find((n) => n.name === 'rpc-start')!;
    sent = [];
    // the trace info survives a JSON round trip, as it does in a message body
    const received = JSON.parse(JSON.stringify(info)) as unknown;
    withTraceInfo(received, () => withTrace('handler', { x: 1 }, () => undefined));
    assert.deepEqual(
      sent.map((n) => [n.name, n.base_id, n.parent_id]),
      [
        ['handler-start', BASE, sender.trace_id],
        ['handler-stop', BASE, sender.trace_id],
      ],
    );
    assert.equal(currentProfiler(), undefined, 'the caller’s context is untouched');
  });

  it('keeps the trace across awaits and returns fn’s result', async () => {
    const result = await withTraceInfo({ hmac_key: 'k', base_id: BASE, parent_id: PARENT }, async () => {
      await sleep(1);
      return [currentProfiler()?.getBaseId(), currentProfiler()?.hmacKey, currentProfiler()?.getId()];
    });
    assert.deepEqual(result, [BASE, 'k', PARENT]);
  });

  it('accepts what Python sends: hmac_key None, no parent_id', () => {
    assert.deepEqual(readTraceInfo({ hmac_key: null, base_id: BASE }), { base_id: BASE });
    assert.deepEqual(readTraceInfo({ base_id: BASE, parent_id: null, hmac_key: 'k' }), {
      base_id: BASE,
      hmac_key: 'k',
    });
  });

  for (const [label, value] of [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'c0ffee'],
    ['an array', [BASE]],
    ['an object without base_id', { parent_id: PARENT }],
    ['an empty base_id', { base_id: '' }],
    ['a numeric base_id', { base_id: 42 }],
    ['an object parent_id', { base_id: BASE, parent_id: {} }],
    ['a numeric hmac_key', { base_id: BASE, hmac_key: 1 }],
    ['an unknown key', { base_id: BASE, extra: 1 }],
    ['an over-long base_id', { base_id: 'x'.repeat(300) }],
  ] as const) {
    it(`ignores ${label}: fn runs without a trace and nothing throws`, () => {
      const seen = withTraceInfo(value, () => currentProfiler());
      assert.equal(seen, undefined);
      assert.equal(readTraceInfo(value), undefined);
    });
  }

  it('with hmacKeys, accepts only trace info carrying one of them', () => {
    const info = { hmac_key: 'k2', base_id: BASE, parent_id: PARENT };
    assert.equal(
      withTraceInfo(info, () => currentProfiler()?.getBaseId(), { hmacKeys: 'k1, k2' }),
      BASE,
    );
    assert.equal(
      withTraceInfo(info, () => currentProfiler(), { hmacKeys: ['other'] }),
      undefined,
    );
    assert.equal(
      withTraceInfo({ base_id: BASE }, () => currentProfiler(), { hmacKeys: ['k2'] }),
      undefined,
    );
  });

  it('lets errors from fn propagate unchanged', () => {
    const boom = new Error('boom');
    assert.throws(
      () =>
        withTraceInfo({ base_id: BASE }, () => {
          throw boom;
        }),
      (e) => e === boom,
    );
  });
});

describe('signed header form', () => {
  it('traceHeaders() signs {base_id, parent_id}; the receiver verifies them with its keys', () => {
    const headers = inTrace(() => traceHeaders());
    assert.deepEqual(Object.keys(headers), ['X-Trace-Info', 'X-Trace-HMAC']);
    assert.equal(JSON.stringify(headers).includes('secret'), false, 'the key itself never travels');
    assert.deepEqual(readSignedTraceHeaders(headers, { hmacKeys: 'nope,secret' }), {
      base_id: BASE,
      parent_id: PARENT,
      hmac_key: 'secret',
    });
    assert.equal(readSignedTraceHeaders(headers, { hmacKeys: 'nope' }), null);
  });

  it('defaults to the keys of enableWebTrace(), and restores nothing without keys', () => {
    const headers = inTrace(() => traceHeaders());
    assert.equal(readSignedTraceHeaders(headers), null);
    enableWebTrace('secret');
    assert.equal(readSignedTraceHeaders(headers)?.base_id, BASE);
  });

  it('reads byte-string and lower-case header values', () => {
    const headers = inTrace(() => traceHeaders());
    const bytes = {
      'X-Trace-Info': Buffer.from(headers['X-Trace-Info']!),
      'X-Trace-HMAC': Buffer.from(headers['X-Trace-HMAC']!),
    };
    assert.equal(readSignedTraceHeaders(bytes, { hmacKeys: 'secret' })?.base_id, BASE);
    const lower = { 'x-trace-info': headers['X-Trace-Info'], 'x-trace-hmac': headers['X-Trace-HMAC'] };
    assert.equal(readSignedTraceHeaders(lower, { hmacKeys: 'secret' })?.base_id, BASE);
  });

  it('withTraceHeaders() runs fn in the verified trace, else outside any trace', () => {
    const headers = inTrace(() => traceHeaders());
    assert.equal(
      withTraceHeaders(headers, () => currentProfiler()?.getId(), { hmacKeys: 'secret' }),
      PARENT,
    );
    const tampered = { ...headers, 'X-Trace-HMAC': '0'.repeat(40) };
    // even when called inside another trace, an invalid message does not run in it
    assert.equal(
      inTrace(() => withTraceHeaders(tampered, () => currentProfiler(), { hmacKeys: 'secret' })),
      undefined,
    );
    assert.equal(
      withTraceHeaders(undefined, () => 'ran'),
      'ran',
    );
  });
});

describe('oslo.messaging context in a JSON body', () => {
  const info = { hmac_key: 'k', base_id: BASE, parent_id: PARENT };

  it('adds _context_trace_info to a plain message dict and reads it back', () => {
    const body = Buffer.from(JSON.stringify({ method: 'run', args: { n: 1 }, _context_user_id: 'u' }));
    const out = injectContextTraceInfo(body, info)!;
    const parsed = JSON.parse(out.toString('utf8'));
    assert.deepEqual(parsed, { method: 'run', args: { n: 1 }, _context_user_id: 'u', _context_trace_info: info });
    assert.deepEqual(extractContextTraceInfo(out), info);
  });

  it('adds it inside the oslo.version 2.0 envelope', () => {
    const inner = { method: 'run', args: {} };
    const body = Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(inner) }));
    const out = injectContextTraceInfo(body, info)!;
    const envelope = JSON.parse(out.toString('utf8'));
    assert.equal(envelope['oslo.version'], '2.0');
    assert.deepEqual(JSON.parse(envelope['oslo.message'])._context_trace_info, info);
    assert.deepEqual(extractContextTraceInfo(out), info);
  });

  it('leaves bodies that are not JSON objects alone', () => {
    assert.equal(injectContextTraceInfo(Buffer.from('hello'), info), undefined);
    assert.equal(injectContextTraceInfo(Buffer.from('[1]'), info), undefined);
    assert.equal(extractContextTraceInfo(Buffer.from('{"a": 1}')), undefined);
    assert.equal(extractContextTraceInfo(Buffer.from('_context_trace_info but not JSON')), undefined);
  });
});
