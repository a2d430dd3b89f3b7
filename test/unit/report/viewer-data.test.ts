import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toViewerData } from '../../../src/report/viewer-data.js';
import type { Report, ReportNode } from '../../../src/report/types.js';
import { loadFixture } from '../../helpers/fixtures.js';

function node(
  name: string,
  started: number,
  finished: number,
  children: ReportNode[] = [],
  extra: Record<string, unknown> = {},
): ReportNode {
  return {
    info: { name, project: 'p', service: 's', host: 'h', started, finished, ...extra },
    trace_id: name,
    parent_id: 'x',
    children,
  };
}

function report(children: ReportNode[], finished = 10): Report {
  return {
    info: { name: 'total', started: 0, finished, last_trace_started: 0 },
    children,
    stats: { a: { count: 2, duration: 7 } },
  };
}

describe('toViewerData', () => {
  it('flattens the tree in pre-order with depth and subtree sizes', () => {
    const { data } = toViewerData(
      report([node('a', 0, 9, [node('b', 1, 3, [node('c', 1, 2)]), node('d', 4, 5)]), node('e', 6, 7)]),
      't',
    );
    assert.deepEqual(
      data.name.map((i) => data.names[i]),
      ['a', 'b', 'c', 'd', 'e'],
    );
    assert.deepEqual(data.depth, [0, 1, 2, 1, 0]);
    assert.deepEqual(data.size, [3, 1, 0, 0, 0]);
    assert.deepEqual(data.started, [0, 1, 1, 4, 6]);
    assert.deepEqual(data.finished, [9, 3, 2, 5, 7]);
    assert.deepEqual(data.stats, [['a', 2, 7]]);
    assert.equal(data.totalMs, 10);
  });

  it('interns repeated labels and shows non-string values as JSON or (none)', () => {
    const { data } = toViewerData(
      report([node('a', 0, 1, [], { service: null, host: 42 }), node('a', 1, 2, [], { service: null, host: 42 })]),
      't',
    );
    assert.deepEqual(data.names, ['a']);
    // services are named `<project>-<service>` (either alone), as the terminal and the trace list name them
    assert.deepEqual(data.services, ['p']);
    assert.deepEqual(data.hosts, ['42']);
    assert.deepEqual(data.name, [0, 0]);
  });

  it('marks only spans with a real exception type as errors', () => {
    const { data } = toViewerData(
      report([
        node('ok', 0, 1, [], { exception: 'None' }),
        node('null', 0, 1, [], { exception: null }),
        node('start-only', 0, 0),
        node('bad', 0, 1, [], { exception: 'ValueError' }),
      ]),
      't',
    );
    assert.deepEqual(data.error, ['', '', '', 'ValueError']);
  });

  it('puts trace id, parent id and the info keys the columns lack in one JSON line per span, and finds the base id', () => {
    const fixture = loadFixture<{ report: Report; base_id: string }>('reports/02_nested_services.json');
    const { data, payloads } = toViewerData(fixture.report, 't');
    assert.equal(data.baseId, fixture.base_id);
    assert.equal(payloads.length, data.depth.length);
    const [traceId, parentId, info] = JSON.parse(payloads[0]);
    const node = fixture.report.children[0];
    assert.equal(traceId, node.trace_id);
    assert.equal(parentId, node.parent_id);
    assert.deepEqual(Object.keys(info), ['meta.raw_payload.wsgi-stop', 'meta.raw_payload.wsgi-start']);
    assert.deepEqual(info['meta.raw_payload.wsgi-start'], node.info['meta.raw_payload.wsgi-start']);
    assert.ok(
      payloads.every((line) => !line.includes('\n')),
      'one line per span',
    );
  });

  it('handles a 100,000-deep chain without recursion', () => {
    let leaf = node('n', 0, 1);
    for (let i = 0; i < 100_000; i++) leaf = node('n', 0, 1, [leaf]);
    const { data } = toViewerData(report([leaf]), 't');
    assert.equal(data.depth.length, 100_001);
    assert.equal(data.depth[100_000], 100_000);
    assert.equal(data.size[0], 100_000);
  });

  it('survives malformed nodes: missing info, non-array children, shared nodes', () => {
    const shared = node('s', 0, 1);
    const odd = { trace_id: 'x', parent_id: 'y', children: 'nope' } as unknown as ReportNode;
    const { data } = toViewerData(report([shared, shared, odd, null as unknown as ReportNode]), 't');
    assert.equal(data.depth.length, 2);
    assert.deepEqual(data.names, ['s', '(none)']);
  });
});
