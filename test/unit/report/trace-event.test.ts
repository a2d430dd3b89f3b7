// The Chrome trace-event export: microsecond times where payloads have them, nesting lanes, processes per service.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { buildReport } from '../../../src/report/build.js';
import { buildTraceEvents, renderTraceEvent } from '../../../src/report/trace-event.js';
import type { Report, StoredNotification } from '../../../src/report/types.js';
import { loadFixture } from '../../helpers/fixtures.js';

const nested = loadFixture<{ report: Report }>('reports/02_nested_services.json');
const sql = loadFixture<{ 'get_report_3.4.3': Report }>('storage/sql.json');

function rec(name: string, traceId: string, parentId: string, us: number, service = 'api'): StoredNotification {
  return {
    name,
    base_id: 'base',
    trace_id: traceId,
    parent_id: parentId,
    timestamp: `2024-01-01T00:00:00.${String(us).padStart(6, '0')}`,
    info: { host: 'h' },
    project: 'nova',
    service,
  } as StoredNotification;
}

describe('renderTraceEvent', () => {
  it('emits one complete event per point with microsecond times from the stored payloads', () => {
    const doc = JSON.parse(renderTraceEvent(nested.report)) as ReturnType<typeof buildTraceEvents>;
    const spans = doc.traceEvents.filter((e) => e.ph === 'X');
    assert.equal(spans.length, 6);
    assert.equal(doc.otherData.precision, 'us');
    const wsgi = spans.find((e) => e.cat === 'wsgi')!;
    assert.equal(wsgi.ts, 0);
    assert.ok(wsgi.dur! >= 915_000 && wsgi.dur! < 916_000);
    const names = doc.traceEvents.filter((e) => e.name === 'process_name').map((e) => e.args!.name);
    assert.deepEqual(names, ['nova-api@ctl-01', 'nova-compute@cmp-07']);
  });

  it('falls back to the report milliseconds when payloads carry no timestamps (SQL stores)', () => {
    const doc = buildTraceEvents(sql['get_report_3.4.3']);
    assert.equal(doc.otherData.precision, 'ms');
    assert.deepEqual(
      doc.traceEvents.filter((e) => e.ph === 'X').map((e) => [e.cat, e.ts, e.dur]),
      [
        ['wsgi', 0, 4000],
        ['db', 0, 1000],
        ['http', 3000, 0],
      ],
    );
  });

  it('puts overlapping siblings on separate lanes and children on their parent lane', () => {
    const report = buildReport([
      rec('p-start', 'p', 'base', 0),
      rec('a-start', 'a', 'p', 100),
      rec('b-start', 'b', 'p', 200),
      rec('a-stop', 'a', 'p', 500),
      rec('b-stop', 'b', 'p', 600),
      rec('p-stop', 'p', 'base', 900),
    ]);
    const tid = Object.fromEntries(
      buildTraceEvents(report)
        .traceEvents.filter((e) => e.ph === 'X')
        .map((e) => [e.cat, e.tid]),
    );
    assert.equal(tid.p, tid.a);
    assert.notEqual(tid.a, tid.b);
  });

  it('never fails on an empty report', () => {
    const doc = buildTraceEvents(buildReport([]));
    assert.deepEqual(doc.traceEvents, []);
  });
});
