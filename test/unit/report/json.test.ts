import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { pythonJsonNumber, pythonJsonString, renderJsonValue } from '../../../src/report/json.js';

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
