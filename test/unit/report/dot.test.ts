import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { buildReport } from '../../../src/report/build.js';
import { dotLabel, quoteDotLabel, renderDot } from '../../../src/report/dot.js';
import type { Report } from '../../../src/report/types.js';

function reportWith(children: Report['children']): Report {
  return { info: { name: 'total', started: 0, finished: 10, last_trace_started: 0 }, children, stats: {} };
}

function node(info: Record<string, unknown>, children: Report['children'] = []): Report['children'][number] {
  return {
    info: { name: 'db', project: 'p', service: 's', host: 'h', started: 0, finished: 3, ...info } as never,
    trace_id: 't',
    parent_id: 'p',
    children,
  };
}

describe('renderDot', () => {
  it('an empty report is the total node with 0 ms (Python raises on finished: null)', () => {
    assert.equal(renderDot(buildReport([])), 'digraph {\n\t0 [label="total - 0 ms"]\n}\n');
  });

  it('numbers nodes in pre-order and writes each edge after the child’s subtree', () => {
    const report = reportWith([node({}, [node({ name: 'a' }, [node({ name: 'b' })]), node({ name: 'c' })])]);
    assert.equal(
      renderDot(report),
      'digraph {\n\t0 [label="total - 10 ms"]\n\t1 [label="s:db - 3 ms"]\n\t2 [label="s:a - 3 ms"]\n\t3 [label="s:b - 3 ms"]\n' +
        '\t2 -> 3\n\t1 -> 2\n\t4 [label="s:c - 3 ms"]\n\t1 -> 4\n\t0 -> 1\n}\n',
    );
  });
});

describe('dotLabel', () => {
  it('adds method and the first 30 code points of the path for wsgi', () => {
    const path = '/v1/' + 'a'.repeat(25) + '😀tail';
    const info = {
      name: 'wsgi',
      service: 'api',
      started: 1,
      finished: 4,
      'meta.raw_payload.wsgi-start': { info: { request: { method: 'GET', path } } },
    };
    assert.equal(dotLabel(info), `api:wsgi - 3 ms\\nGET /v1/${'a'.repeat(25)}😀..`);
  });

  it('adds the last dotted part of the function name for rpc and driver', () => {
    const info = {
      name: 'driver',
      service: 'c',
      started: 0,
      finished: 0,
      'meta.raw_payload.driver-start': { info: { function: { name: 'a.b.spawn' } } },
    };
    assert.equal(dotLabel(info), 'c:driver - 0 ms\\nspawn');
  });

  it('leaves the detail line out where Python raises KeyError (no start payload)', () => {
    assert.equal(dotLabel({ name: 'rpc', service: 'api', started: 1, finished: 1 }), 'api:rpc - 0 ms');
    assert.equal(
      dotLabel({ name: 'wsgi', service: 'api', started: 1, finished: 1, 'meta.raw_payload.wsgi-start': { info: {} } }),
      'api:wsgi - 0 ms',
    );
  });

  it('leaves the service prefix out when the service is not a string (Python raises TypeError)', () => {
    assert.equal(dotLabel({ name: 'db', service: null, started: 0, finished: 2 }), 'db - 2 ms');
  });
});

describe('quoteDotLabel', () => {
  it('escapes quotes not already escaped and keeps everything else verbatim', () => {
    // Cases checked against graphviz' quote().
    assert.equal(quoteDotLabel('a"b'), '"a\\"b"');
    assert.equal(quoteDotLabel('a\\"b'), '"a\\"b"');
    assert.equal(quoteDotLabel('a\\\\"b'), '"a\\\\\\"b"');
    assert.equal(quoteDotLabel('x\\'), '"x\\"');
    assert.equal(quoteDotLabel('é\n😀'), '"é\n😀"');
  });

  it('leaves an HTML-like <…> label bare, as graphviz does', () => {
    assert.equal(quoteDotLabel('<b>x</b>'), '<b>x</b>');
    assert.equal(quoteDotLabel('<a>\n'), '<a>\n');
    assert.equal(quoteDotLabel('<a>\n\n'), '"<a>\n\n"');
    assert.equal(quoteDotLabel(' <a>'), '" <a>"');
  });
});
