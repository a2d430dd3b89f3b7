import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createOtlpDriver, otlpEndpoint, OtlpDriver } from '../../../../src/drivers/otlp/driver.js';
import { SpanAssembler } from '../../../../src/drivers/otlp/assembler.js';
import {
  otlpSpanId,
  otlpSpanKind,
  otlpSpanName,
  otlpTraceId,
  pointName,
  serviceName,
  SPAN_KIND,
  toAnyValue,
  toUnixNano,
} from '../../../../src/drivers/otlp/mapping.js';
import { DriverUnavailableError } from '../../../../src/errors.js';
import { currentProfiler } from '../../../../src/core/context.js';
import { runWithProfiler, start, stop } from '../../../../src/core/current.js';
import { registerDriver, type Driver } from '../../../../src/drivers/driver.js';
import { createNotifier } from '../../../../src/notifier/create.js';
import { setNotifier } from '../../../../src/notifier/notifier.js';
import { setLogSink } from '../../../../src/log.js';
import { Profiler } from '../../../../src/core/profiler.js';
import type { Notification } from '../../../../src/core/payload.js';
import { loadFixture } from '../../../helpers/fixtures.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../../helpers/otlp-receiver.js';

const BASE = '4e3e0ec6-2938-40b1-8504-09eb1d4b0dee';
const A = '1c089ea8-28fe-4f3d-8c00-f6daa2bc32f1';
const B = '8a9f3c55-5b7e-4d1e-9c2a-7f1e0b6a4d33';
const C = 'd2b7c1e4-9a3f-4b8e-8e5d-2c6f1a0b9e77';

function n(
  name: string,
  traceId: string,
  parentId: string,
  timestamp: string,
  info: Record<string, unknown> = {},
): Notification {
  return { name, base_id: BASE, trace_id: traceId, parent_id: parentId, timestamp, info: { ...info, host: 'h1' } };
}

describe('otlp connection strings', () => {
  it('otlp://host:port becomes the OTLP/HTTP traces URL on http', () => {
    assert.equal(otlpEndpoint('otlp://127.0.0.1:4318'), 'http://127.0.0.1:4318/v1/traces');
  });
  it('a missing port is 4318 and an explicit :80 is kept', () => {
    assert.equal(otlpEndpoint('otlp://collector'), 'http://collector:4318/v1/traces');
    assert.equal(otlpEndpoint('otlp://collector:80'), 'http://collector/v1/traces');
  });
  it('a path is a prefix of /v1/traces and is not doubled', () => {
    assert.equal(otlpEndpoint('otlp://h:4318/otel/'), 'http://h:4318/otel/v1/traces');
    assert.equal(otlpEndpoint('otlp://h:4318/v1/traces'), 'http://h:4318/v1/traces');
  });
  it('otlp+https uses https, IPv6 literals keep brackets, an empty host is localhost', () => {
    assert.equal(otlpEndpoint('otlp+https://h'), 'https://h:4318/v1/traces');
    assert.equal(otlpEndpoint('otlp://[::1]:4318'), 'http://[::1]:4318/v1/traces');
    assert.equal(otlpEndpoint('otlp://'), 'http://localhost:4318/v1/traces');
  });
});

describe('otlp mapping', () => {
  it('trace and span ids follow uuid_to_int128 / shorten_id for every non-zero fixture id', () => {
    const { uuid_to_int128_head: cases } = loadFixture('ids.json');
    for (const c of cases) {
      if (c.random) continue;
      if (/[1-9a-f]/.test(c.hex32)) assert.equal(otlpTraceId(c.input), c.hex32, c.input);
      if (/[1-9a-f]/.test(c.span_id_hex16)) assert.equal(otlpSpanId(c.input), c.span_id_hex16, c.input);
    }
  });
  it('all-zero and non-uuid ids get a stable non-zero hash instead of an invalid or random id', () => {
    assert.match(otlpTraceId('00000000-0000-0000-0000-000000000000'), /^[0-9a-f]{32}$/);
    assert.notEqual(otlpTraceId('00000000-0000-0000-0000-000000000000'), '0'.repeat(32));
    assert.equal(otlpTraceId('not-a-uuid'), otlpTraceId('not-a-uuid'));
    assert.equal(otlpSpanId('12345678-9abc-def0-0000-000000000000').length, 16);
    assert.notEqual(otlpSpanId('12345678-9abc-def0-0000-000000000000'), '0'.repeat(16));
  });
  it('names lose an exact -start suffix, not a character set (Python: test-start → te)', () => {
    const { otlp_span_name_head: cases } = loadFixture('ids.json');
    for (const c of cases) {
      const ours = pointName(c.payload_name);
      assert.equal(ours, c.payload_name.replace(/-start$/, ''));
      if (!/[-start]$/.test(ours) || ours === c.otlp_name) assert.equal(ours, c.otlp_name);
    }
    assert.equal(pointName('test-start'), 'test');
    assert.equal(pointName('start-start'), 'start');
    assert.equal(pointName('vm_start-start'), 'vm_start');
  });
  it('span names come from request, db and requests info', () => {
    assert.equal(
      otlpSpanName(n('wsgi-start', A, BASE, 't', { request: { method: 'GET', path: '/x' } })),
      'WSGI_GET_/x',
    );
    assert.equal(
      otlpSpanName(n('db-start', A, BASE, 't', { db: { statement: '\n  select 1', params: [] } })),
      'SQL_SELECT',
    );
    assert.equal(
      otlpSpanName(n('https-start', A, BASE, 't', { requests: { method: 'POST', hostname: 'k.local' } })),
      'REQUESTS_POST_k.local',
    );
    assert.equal(otlpSpanName(n('rpc-start', A, BASE, 't', { request: {} })), 'rpc');
  });
  it('kinds: SERVER for requests served, CLIENT for db and http, else INTERNAL', () => {
    assert.equal(otlpSpanKind(n('wsgi-start', A, BASE, 't')), SPAN_KIND.SERVER);
    assert.equal(otlpSpanKind(n('web-start', A, BASE, 't', { request: { method: 'GET' } })), SPAN_KIND.SERVER);
    assert.equal(otlpSpanKind(n('db-start', A, BASE, 't')), SPAN_KIND.CLIENT);
    assert.equal(otlpSpanKind(n('https-start', A, BASE, 't')), SPAN_KIND.CLIENT);
    assert.equal(otlpSpanKind(n('neutron-api-start', A, BASE, 't')), SPAN_KIND.CLIENT);
    assert.equal(otlpSpanKind(n('sql-start', A, BASE, 't', { db: { statement: 'x' } })), SPAN_KIND.CLIENT);
    assert.equal(otlpSpanKind(n('heat-start', A, BASE, 't')), SPAN_KIND.INTERNAL);
  });
  it('payload timestamps become unix-nano strings, with 1-6 fraction digits', () => {
    assert.equal(toUnixNano('2018-05-03T04:31:51.781381'), '1525321911781381000');
    assert.equal(toUnixNano('2018-05-03T04:31:51.5'), '1525321911500000000');
    assert.match(toUnixNano('garbage'), /^\d{19}$/);
  });
  it('attribute values use the OTLP AnyValue forms', () => {
    assert.deepEqual(toAnyValue('x'), { stringValue: 'x' });
    assert.deepEqual(toAnyValue(5000), { intValue: '5000' });
    assert.deepEqual(toAnyValue(1.5), { doubleValue: 1.5 });
    assert.deepEqual(toAnyValue(true), { boolValue: true });
    assert.deepEqual(toAnyValue({ a: [1] }), { stringValue: '{"a": [1]}' });
    assert.equal(toAnyValue(null), undefined);
  });
  it('service.name is [prefix-]project-service without missing parts', () => {
    assert.equal(serviceName('nova', 'api'), 'nova-api');
    assert.equal(serviceName('nova', 'api', 'osp'), 'osp-nova-api');
    assert.equal(serviceName(undefined, 'api'), 'api');
    assert.equal(serviceName(undefined, undefined), 'osprofiler');
  });
});

describe('span assembler', () => {
  it('a stop closes the start with its own trace_id even when traces interleave', () => {
    const asm = new SpanAssembler();
    const out = [
      ...asm.add(n('a-start', A, BASE, '2024-01-01T00:00:00.000001')),
      ...asm.add(n('b-start', B, BASE, '2024-01-01T00:00:00.000002')),
      ...asm.add(n('a-stop', A, BASE, '2024-01-01T00:00:00.000010')),
      ...asm.add(n('b-stop', B, BASE, '2024-01-01T00:00:00.000020')),
    ];
    assert.deepEqual(
      out.map((s) => [s.name, s.startTimeUnixNano, s.endTimeUnixNano]),
      [
        ['a', '1704067200000001000', '1704067200000010000'],
        ['b', '1704067200000002000', '1704067200000020000'],
      ],
    );
    assert.equal(asm.stats.open, 0);
  });
  it('a stop without its start becomes a zero-length span marked missing_start', () => {
    const asm = new SpanAssembler();
    const [span] = asm.add(n('x-stop', C, A, '2024-01-01T00:00:01.000000'));
    assert.equal(span.name, 'x');
    assert.equal(span.startTimeUnixNano, span.endTimeUnixNano);
    assert.deepEqual(span.attributes, [{ key: 'osprofiler.missing_start', value: { boolValue: true } }]);
    assert.equal(asm.stats.missingStart, 1);
  });
  it('beyond maxOpen the oldest start is sent unfinished; drain sends the rest', () => {
    const asm = new SpanAssembler(1);
    assert.equal(asm.add(n('a-start', A, BASE, '2024-01-01T00:00:00.000001')).length, 0);
    const [evicted] = asm.add(n('b-start', B, BASE, '2024-01-01T00:00:00.000002'));
    assert.equal(evicted.name, 'a');
    assert.ok(evicted.attributes.some((kv) => kv.key === 'osprofiler.unfinished'));
    assert.deepEqual(
      asm.drain().map((s) => s.name),
      ['b'],
    );
    assert.equal(asm.stats.unfinished, 2);
  });
  it('other notification names are ignored', () => {
    const asm = new SpanAssembler();
    assert.deepEqual(asm.add(n('custom', A, BASE, 't')), []);
    assert.equal(asm.stats.ignored, 1);
  });
});

describe('otlp driver over OTLP/HTTP', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
    setLogSink(() => {});
  });
  after(async () => {
    setLogSink(undefined);
    await receiver.close();
  });
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.statuses.length = 0;
  });

  const conn = () => `otlp://127.0.0.1:${receiver.port}`;

  it('posts OTLP JSON with hex ids, unix-nano strings, resource and scope', async () => {
    const driver = createOtlpDriver(conn(), { project: 'nova', service: 'api', serviceNamePrefix: 'osp' });
    await driver.notifyBatch([
      n('wsgi-start', A, BASE, '2018-05-03T04:31:51.781381', {
        request: { path: '/', query: '', method: 'GET', scheme: 'http' },
      }),
      n('wsgi-stop', A, BASE, '2018-05-03T04:31:51.981381'),
    ]);
    assert.equal(receiver.requests.length, 1);
    const req = receiver.requests[0];
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/v1/traces');
    assert.equal(req.headers['content-type'], 'application/json');
    const [rs] = req.body.resourceSpans;
    assert.deepEqual(rs.resource.attributes, [{ key: 'service.name', value: { stringValue: 'osp-nova-api' } }]);
    assert.equal(rs.scopeSpans[0].scope.name, 'osprofiler.drivers.otlp');
    const span = rs.scopeSpans[0].spans[0];
    assert.equal(span.traceId, '4e3e0ec6293840b1850409eb1d4b0dee');
    assert.equal(span.spanId, '8c00f6daa2bc32f1');
    assert.equal('parentSpanId' in span, false);
    assert.equal(span.kind, 2);
    assert.equal(span.startTimeUnixNano, '1525321911781381000');
    assert.equal(span.endTimeUnixNano, '1525321911981381000');
    assert.equal(span.status, undefined);
  });

  it('sends nothing until a span is complete, then one request per batch', async () => {
    const driver = createOtlpDriver(conn(), { project: 'p', service: 's' });
    await driver.notifyBatch([n('a-start', A, BASE, '2024-01-01T00:00:00.000001')]);
    assert.equal(receiver.requests.length, 0);
    await driver.notifyBatch([
      n('b-start', B, A, '2024-01-01T00:00:00.000002'),
      n('b-stop', B, A, '2024-01-01T00:00:00.000003'),
      n('a-stop', A, BASE, '2024-01-01T00:00:00.000004'),
    ]);
    assert.equal(receiver.requests.length, 1);
    const spans = receiver.spans();
    assert.deepEqual(
      spans.map((s) => [s.name, s.parentSpanId]),
      [
        ['b', otlpSpanId(A)],
        ['a', undefined],
      ],
    );
  });

  it('an error stop adds error=true, a log event and STATUS_CODE_ERROR', async () => {
    const driver = createOtlpDriver(conn(), { project: 'p', service: 's' });
    await driver.notifyBatch([
      n('rpc-start', A, BASE, '2024-01-01T00:00:00.000001', { function: { name: 'm.f', args: '()', kwargs: '{}' } }),
      n('rpc-stop', A, BASE, '2024-01-01T00:00:00.000002', { etype: 'ValueError', message: 'bad' }),
    ]);
    const [span] = receiver.spans();
    assert.deepEqual(span.attributes, { args: '()', kwargs: '{}', name: 'm.f', error: true });
    assert.deepEqual(span.events, [
      { name: 'log', timeUnixNano: '1704067200000002000', attributes: { 'error.kind': 'ValueError', message: 'bad' } },
    ]);
    assert.deepEqual(span.status, { code: 2, message: 'bad' });
  });

  it('extra headers are sent and close() flushes unfinished spans', async () => {
    const driver = createOtlpDriver(conn(), { otlpHeaders: { 'x-api-key': 'k1' } });
    await driver.notifyBatch([n('a-start', A, BASE, '2024-01-01T00:00:00.000001')]);
    await driver.close();
    assert.equal(receiver.requests[0].headers['x-api-key'], 'k1');
    assert.equal(receiver.spans()[0].attributes['osprofiler.unfinished'], true);
  });

  it('retries 503 and succeeds; a 400 rejects with the status', async () => {
    const driver = createOtlpDriver(conn(), { retryDelayMs: 1 });
    receiver.statuses.push(503);
    await driver.notifyBatch([n('a-start', A, BASE, 't'), n('a-stop', A, BASE, 't')]);
    assert.equal(receiver.requests.length, 1);
    assert.equal(driver.exportStats.requests, 2);
    receiver.statuses.push(400);
    await assert.rejects(
      driver.notifyBatch([n('b-start', B, BASE, 't'), n('b-stop', B, BASE, 't')]),
      (e: unknown) => e instanceof DriverUnavailableError && /HTTP 400/.test(e.message),
    );
  });

  it('an unreachable collector rejects with DriverUnavailableError naming the URL', async () => {
    const driver = createOtlpDriver('otlp://127.0.0.1:9', { retryDelayMs: 1 });
    await assert.rejects(
      driver.notifyBatch([n('a-start', A, BASE, 't'), n('a-stop', A, BASE, 't')]),
      (e: unknown) => e instanceof DriverUnavailableError && e.message.includes('http://127.0.0.1:9/v1/traces'),
    );
  });

  it('is write-only: no read side, and a reason that points at the backend UI', async () => {
    const driver = new OtlpDriver('http://c:4318/v1/traces', {}, async () => ({ status: 200, body: '' }));
    assert.equal((driver as Driver).reader, undefined);
    assert.match(driver.unreadableReason(BASE), /cannot read traces back.*4e3e0ec6293840b1850409eb1d4b0dee/);
    assert.match(driver.unreadableReason(), /backend UI/);
    assert.match(driver.describe(), /http:\/\/c:4318\/v1\/traces/);
  });

  it("the exporter's own HTTP runs outside any trace context, even when called from one", async () => {
    const seen: unknown[] = [];
    const driver = new OtlpDriver('http://c/v1/traces', {}, async () => {
      seen.push(currentProfiler());
      return { status: 200, body: '' };
    });
    await runWithProfiler(new Profiler('k'), async () => {
      assert.ok(currentProfiler());
      await driver.notifyBatch([n('a-start', A, BASE, 't'), n('a-stop', A, BASE, 't')]);
    });
    assert.deepEqual(seen, [undefined]);
  });

  it('behind createNotifier, traced code ends up as spans at the collector', async () => {
    registerDriver('otlp', (cs, options) => createOtlpDriver(cs, options));
    const notifier = createNotifier(conn(), { project: 'nova', service: 'api' });
    setNotifier(notifier);
    try {
      runWithProfiler(new Profiler('k', BASE), () => {
        start('outer');
        start('inner', { function: { name: 'f' } });
        stop();
        stop();
      });
      await notifier.shutdown();
    } finally {
      setNotifier(undefined);
    }
    assert.deepEqual(notifier.stats(), { queued: 0, written: 4, dropped: 0, failed: 0 });
    const spans = receiver.spans();
    assert.deepEqual(
      spans.map((s) => [s.name, s.traceId, s.resource['service.name']]),
      [
        ['inner', otlpTraceId(BASE), 'nova-api'],
        ['outer', otlpTraceId(BASE), 'nova-api'],
      ],
    );
    assert.equal(spans[0].parentSpanId, spans[1].spanId);
  });

  it('partial success answers are counted', async () => {
    const driver = new OtlpDriver('http://c/v1/traces', {}, async () => ({
      status: 200,
      body: '{"partialSuccess":{"rejectedSpans":"1","errorMessage":"too old"}}',
    }));
    await driver.notifyBatch([n('a-start', A, BASE, 't'), n('a-stop', A, BASE, 't')]);
    assert.equal(driver.exportStats.rejectedSpans, 1);
  });
});
