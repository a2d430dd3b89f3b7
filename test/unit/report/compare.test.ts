// Trace comparison: per type/service/operation counts, total and self time, deltas sorted by size, and its renderers.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { buildReport } from '../../../src/report/build.js';
import { compareReports, selfTime } from '../../../src/report/compare.js';
import { renderComparisonHtml } from '../../../src/report/compare-html.js';
import { renderComparisonText } from '../../../src/report/compare-text.js';
import type { StoredNotification } from '../../../src/report/types.js';
import { serversTrace } from '../../helpers/servers-trace.js';

const A = 'c0ffee00-0000-4000-8000-00000000a001';
const B = 'c0ffee00-0000-4000-8000-00000000b001';

function point(name: string, id: string, parent: string, from: number, to: number, info = {}): StoredNotification[] {
  const at = (ms: number): string => `2024-01-01T00:00:00.${String(ms * 1000).padStart(6, '0')}`;
  return [
    {
      name: `${name}-start`,
      base_id: 'b',
      trace_id: id,
      parent_id: parent,
      timestamp: at(from),
      info: { host: 'h', ...info },
    },
    { name: `${name}-stop`, base_id: 'b', trace_id: id, parent_id: parent, timestamp: at(to), info: { host: 'h' } },
  ] as StoredNotification[];
}

describe('compareReports', () => {
  it('counts self time as the duration not covered by the union of the children', () => {
    const report = buildReport([
      ...point('root', 'r', 'b', 0, 100),
      ...point('x', 'x', 'r', 10, 40),
      ...point('y', 'y', 'r', 30, 50), // overlaps x: 10–50 covered once
      ...point('z', 'z', 'r', 90, 130), // runs past its parent: clipped at 100
    ]);
    assert.equal(selfTime(report.children[0]), 100 - 40 - 10);
  });

  it('gives per type, service and operation the counts, totals, self times and deltas, largest change first', () => {
    const cmp = compareReports(buildReport(serversTrace(A, 30)), buildReport(serversTrace(B, 130)));
    assert.deepEqual(
      cmp.byType.map((r) => r.key),
      ['db', 'rpc', 'wsgi', 'http'],
    );
    const db = cmp.byType[0];
    assert.deepEqual([db.a.count, db.b.count, db.a.totalMs, db.b.totalMs, db.deltaMs], [2, 2, 70, 170, 100]);
    assert.equal(cmp.byOperation[0].key, 'db: SELECT * FROM instances WHERE project_id = ? …');
    assert.equal(cmp.byOperation[0].deltaMs, 100);
    assert.ok(cmp.byOperation.some((r) => r.key === 'rpc: compute.Manager.list'));
    assert.deepEqual(
      cmp.byService.map((r) => r.key),
      ['(none)'],
      'notifications without project/service',
    );
    assert.deepEqual([cmp.a.durationMs, cmp.b.durationMs, cmp.a.errors], [120, 205, 1]);
    for (const table of [cmp.byType, cmp.byService, cmp.byOperation])
      for (let i = 1; i < table.length; i++) assert.ok(Math.abs(table[i - 1].deltaMs) >= Math.abs(table[i].deltaMs));
  });

  it('lists a key found in one trace only with zeros on the other side', () => {
    const cmp = compareReports(
      buildReport(point('wsgi', 'w', 'b', 0, 10)),
      buildReport([...point('wsgi', 'w', 'b', 0, 10), ...point('db', 'd', 'w', 1, 5)]),
    );
    const db = cmp.byType.find((r) => r.key === 'db')!;
    assert.deepEqual([db.a.count, db.a.totalMs, db.b.count, db.deltaMs], [0, 0, 1, 4]);
  });

  it('renders tables with the deltas, and a static page whose trace text is escaped', () => {
    const a = buildReport(serversTrace(A, 30));
    const hostile = serversTrace(B, 130).map((n) =>
      n.name === 'rpc-start' ? { ...n, info: { host: 'h', function: { name: '<img src=x onerror=alert(1)>' } } } : n,
    );
    const b = buildReport(hostile);
    const cmp = compareReports(a, b);
    const text = renderComparisonText(cmp);
    assert.match(text, /^ {2}db +2 +2 +70 ms +170 ms .* \+100 ms/m);
    assert.match(text, /By operation/);
    const html = renderComparisonHtml(cmp, { report: a, label: A }, { report: b, label: B });
    assert.ok(!/<img/i.test(html), 'no markup from the data');
    assert.ok(!/<script/i.test(html), 'the page runs no script');
    assert.match(html, /content="default-src &#39;none&#39;;/);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(html, /started 2026-12-04 14:30:05\.000 UTC/);
    assert.match(html, /GET \/servers/);
  });
});
