import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { ReportTooLargeError } from '../../../src/errors.js';
import { buildReport } from '../../../src/report/build.js';
import {
  pythonJsonNumber,
  pythonJsonString,
  renderJson,
  renderJsonFast,
  renderJsonValue,
} from '../../../src/report/json.js';
import type { Report, ReportNode, StoredNotification } from '../../../src/report/types.js';

describe('renderJsonValue', () => {
  it('writes what Python json.dumps(indent=2, separators=(",", ": ")) writes', () => {
    const value = {
      s: 'a"b\\c/d\x7f\x00\x1f\b\f\n\r\t é😀\u2028',
      e: {},
      l: [],
      n: [1, -2, 0.5, 1e-5, 1.5e-7, 123456.789, 12345678901234567890n, null, true, false],
      nested: { a: [{ b: [] }, [[]]] },
      ключ: 1,
    };
    // Output of CPython 3.11 for the same data.
    const python =
      '{\n  "s": "a\\"b\\\\c/d\\u007f\\u0000\\u001f\\b\\f\\n\\r\\t \\u00e9\\ud83d\\ude00\\u2028",\n  "e": {},\n  "l": [],\n' +
      '  "n": [\n    1,\n    -2,\n    0.5,\n    1e-05,\n    1.5e-07,\n    123456.789,\n    12345678901234567890,\n    null,\n' +
      '    true,\n    false\n  ],\n  "nested": {\n    "a": [\n      {\n        "b": []\n      },\n      [\n        []\n      ]\n' +
      '    ]\n  },\n  "\\u043a\\u043b\\u044e\\u0447": 1\n}';
    assert.equal(renderJsonValue(value), python);
  });

  it('writes top-level scalars without a newline', () => {
    assert.equal(renderJsonValue('x'), '"x"');
    assert.equal(renderJsonValue(3), '3');
    assert.equal(renderJsonValue(null), 'null');
  });

  it('drops undefined and function values in objects and writes null for them in arrays', () => {
    assert.equal(renderJsonValue({ a: undefined, b: () => 1 }), '{}');
    assert.equal(renderJsonValue({ a: undefined, b: 1 }), '{\n  "b": 1\n}');
    assert.equal(renderJsonValue([undefined]), '[\n  null\n]');
  });

  it('uses toJSON like JSON.stringify', () => {
    assert.equal(renderJsonValue({ d: new Date(0) }), '{\n  "d": "1970-01-01T00:00:00.000Z"\n}');
  });

  it('writes a circular reference as null instead of throwing', () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = a;
    assert.equal(renderJsonValue(a), '{\n  "x": 1,\n  "self": null\n}');
    const shared = { y: 2 };
    assert.equal(renderJsonValue([shared, shared]), '[\n  {\n    "y": 2\n  },\n  {\n    "y": 2\n  }\n]');
  });

  it('renders 5,000 levels of nesting without recursion', () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 5000; i++) deep = [deep];
    const out = renderJsonValue(deep);
    assert.ok(out.startsWith('[\n  [\n    [\n'));
    assert.ok(out.endsWith('\n  ]\n]'));
    assert.equal(out.split('\n').length, 2 * 5000 + 1);
  });
});

describe('pythonJsonNumber', () => {
  it('writes integral values as ints and others as Python float repr', () => {
    assert.deepEqual(
      [0, -0, 2 ** 53, 1e21, 0.0001, 0.00001, 9.999999999999999e-5, 0.1 + 0.2, 1e15 + 0.5, 5e-324, -3e-10].map(
        pythonJsonNumber,
      ),
      [
        '0',
        '0',
        '9007199254740992',
        '1000000000000000000000',
        '0.0001',
        '1e-05',
        '9.999999999999999e-05',
        '0.30000000000000004',
        '1000000000000000.5',
        '5e-324',
        '-3e-10',
      ],
    );
  });
  it('writes non-finite values as Python does', () => {
    assert.deepEqual([NaN, Infinity, -Infinity].map(pythonJsonNumber), ['NaN', 'Infinity', '-Infinity']);
  });
});

describe('pythonJsonString', () => {
  it('escapes lone surrogates and DEL, but not "/"', () => {
    assert.equal(pythonJsonString('\ud800/\x7f'), '"\\ud800/\\u007f"');
  });
});

describe('renderJsonFast', () => {
  it('writes exactly what renderJsonValue writes, non-ASCII found anywhere in a long text', () => {
    const long = 'x'.repeat(70_000);
    const values: unknown[] = [
      { a: long, b: [1, 0.5, -2.25, true, null] },
      { a: long, tail: 'é' },
      { a: 'x'.repeat(65_535), b: '😀' },
      { a: long, del: '\x7f' },
      { ключ: 1, a: long },
      { a: long, n: 1e-5 },
      { a: long, big: 2 ** 60 },
      { a: long, nan: NaN },
      { d: new Date(0), s: new String('boxed') },
    ];
    for (const value of values) assert.equal(renderJsonFast(value), renderJsonValue(value));
  });
});

describe('renderJson', () => {
  function chain(depth: number): Report {
    const root: ReportNode = {
      info: { name: 'db', project: null, service: null, host: null, started: 0, finished: 0 },
      trace_id: 'n0',
      parent_id: 'b',
      children: [],
    };
    let node = root;
    for (let i = 1; i < depth; i++) {
      const child: ReportNode = {
        ...root,
        info: { ...root.info },
        trace_id: `n${i}`,
        parent_id: node.trace_id,
        children: [],
      };
      node.children.push(child);
      node = child;
    }
    return { info: { name: 'total', started: 0, finished: 0, last_trace_started: 0 }, children: [root], stats: {} };
  }

  it('says how deep a report is that cannot be written as indented JSON', () => {
    assert.throws(
      () => renderJson(chain(20_000)),
      (error: unknown) => {
        assert.ok(error instanceof ReportTooLargeError);
        assert.match(error.message, /points nested 20000 levels deep/);
        return true;
      },
    );
  });

  it('writes a report deeper than the fast path takes with the exact renderer', () => {
    const report = chain(300);
    assert.equal(renderJson(report), renderJsonValue(report));
  });

  /** A built report of two spans whose payloads carry `info` (as a store reader's would). */
  function built(info: Record<string, unknown>): Report {
    const record = (name: string, id: string, second: number): StoredNotification => ({
      name,
      base_id: 'b',
      trace_id: id,
      parent_id: 'b',
      project: 'p',
      service: 's',
      timestamp: `2024-05-14T09:30:1${second}.000000`,
      info: { ...info, host: 'h' },
    });
    return buildReport([record('db-start', 'a', 0), record('db-stop', 'a', 1), record('http-start', 'c', 2)]);
  }

  it('writes Python’s text for built reports whose payloads need ensure_ascii or Python’s number forms', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ statement: 'SELECT é' }, '"SELECT \\u00e9"'],
      [{ statement: 'a\x7fb' }, '"a\\u007fb"'],
      [{ emoji: '😀' }, '"\\ud83d\\ude00"'],
      [{ ключ: 1 }, '"\\u043a\\u043b\\u044e\\u0447": 1'],
      [{ tiny: 1e-5 }, '"tiny": 1e-05'],
      [{ big: 2 ** 60 }, '"big": 1152921504606846976'],
      [{ nan: NaN, inf: -Infinity }, '"nan": NaN,'],
    ];
    for (const [info, expected] of cases) {
      const report = built(info);
      const text = renderJson(report);
      assert.equal(text, renderJsonValue(report));
      assert.ok(text.includes(expected), `${expected} in ${text}`);
    }
  });

  it('writes Python’s text for a report changed after it was built', () => {
    const report = built({ statement: 'SELECT 1' });
    const before = renderJson(report);
    assert.equal(before, renderJsonValue(report));
    const payload = report.children[0]!.info['meta.raw_payload.db-start'] as { info: Record<string, unknown> };
    const changes: (() => void)[] = [
      () => (payload.info.statement = 'SELECT é'),
      () => (payload.info.params = [1e-7, 2 ** 55]),
      () => (report.children[1]!.info.host = '\x7f'),
      () => (report.stats.db!.duration = NaN),
      () => (payload.info.when = new Date(0)),
    ];
    for (const change of changes) {
      change();
      assert.equal(renderJson(report), renderJsonValue(report));
    }
    assert.notEqual(renderJson(report), before);
  });
});
