// Unit tests of src/headers.ts: header shapes, case-insensitive lookup, caps and garbage input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_TRACE_HEADER_BYTES,
  X_TRACE_HMAC,
  X_TRACE_INFO,
  getTraceIdHeaders,
  parseHmacKeys,
  readTraceHeaders,
} from '../../../src/propagation/headers.js';
import { signedPack } from '../../../src/propagation/signing.js';
import { Profiler } from '../../../src/core/profiler.js';
import { runInProfiler } from '../../../src/core/context.js';

const KEY = 'SECRET_KEY';
const BASE = '1d5b4a0c-6f5e-4c3b-9a2d-8e7f6a5b4c3d';
const PARENT = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
const [INFO, HMAC] = signedPack({ base_id: BASE, parent_id: PARENT }, KEY) as [string, string];
const EXPECTED = { base_id: BASE, parent_id: PARENT, hmac_key: KEY };

function signed(data: Record<string, unknown>, key = KEY): Record<string, string> {
  const [info, hmac] = signedPack(data, key);
  return { [X_TRACE_INFO]: info, [X_TRACE_HMAC]: hmac! };
}

describe('header lookup', () => {
  const spellings: Array<[string, string]> = [
    ['X-Trace-Info', 'X-Trace-HMAC'],
    ['x-trace-info', 'x-trace-hmac'],
    ['X-TRACE-INFO', 'X-TRACE-HMAC'],
    ['x-Trace-info', 'X-trace-Hmac'],
  ];

  for (const [infoName, hmacName] of spellings) {
    test(`a plain object with keys ${infoName} / ${hmacName} is read`, () => {
      assert.deepEqual(readTraceHeaders({ [infoName]: INFO, [hmacName]: HMAC }, [KEY]), EXPECTED);
    });

    test(`a WHATWG Headers built with ${infoName} / ${hmacName} is read`, () => {
      const headers = new Headers({ [infoName]: INFO, [hmacName]: HMAC });
      assert.deepEqual(readTraceHeaders(headers, [KEY]), EXPECTED);
    });
  }

  test('Node IncomingHttpHeaders (lower-case keys, other headers around) are read', () => {
    const headers = {
      host: 'example',
      'x-trace-info': INFO,
      'x-trace-hmac': HMAC,
      'set-cookie': ['a', 'b'],
    };
    assert.deepEqual(readTraceHeaders(headers, [KEY]), EXPECTED);
  });

  test('a Map with lower-case keys is read through its get()', () => {
    const headers = new Map([
      ['x-trace-info', INFO],
      ['x-trace-hmac', HMAC],
    ]);
    assert.deepEqual(readTraceHeaders(headers, [KEY]), EXPECTED);
  });

  test('one-element arrays are read as their element', () => {
    assert.deepEqual(readTraceHeaders({ 'x-trace-info': [INFO], 'x-trace-hmac': [HMAC] }, [KEY]), EXPECTED);
  });

  test('a repeated header (array of two or more, or empty) is not traced', () => {
    assert.equal(readTraceHeaders({ 'x-trace-info': [INFO, INFO], 'x-trace-hmac': HMAC }, [KEY]), null);
    assert.equal(readTraceHeaders({ 'x-trace-info': INFO, 'x-trace-hmac': [HMAC, HMAC] }, [KEY]), null);
    assert.equal(readTraceHeaders({ 'x-trace-info': [], 'x-trace-hmac': HMAC }, [KEY]), null);
  });

  test('a WHATWG Headers with an appended duplicate is not traced', () => {
    const headers = new Headers({ [X_TRACE_INFO]: INFO, [X_TRACE_HMAC]: HMAC });
    headers.append(X_TRACE_HMAC, HMAC);
    assert.equal(readTraceHeaders(headers, [KEY]), null);
  });

  test('a missing header of either kind is not traced', () => {
    assert.equal(readTraceHeaders({ 'x-trace-info': INFO }, [KEY]), null);
    assert.equal(readTraceHeaders({ 'x-trace-hmac': HMAC }, [KEY]), null);
    assert.equal(readTraceHeaders(new Headers(), [KEY]), null);
    assert.equal(readTraceHeaders({}, [KEY]), null);
  });
});

describe('verification and acceptance', () => {
  test('the matching key is reported when several are configured', () => {
    const headers = signed({ base_id: BASE }, 'second');
    assert.deepEqual(readTraceHeaders(headers, ['first', 'second']), {
      base_id: BASE,
      hmac_key: 'second',
    });
  });

  test('no configured keys means nothing is traced', () => {
    assert.equal(readTraceHeaders({ 'x-trace-info': INFO, 'x-trace-hmac': HMAC }, []), null);
  });

  test('a wrong key is not traced', () => {
    assert.equal(readTraceHeaders({ 'x-trace-info': INFO, 'x-trace-hmac': HMAC }, ['other']), null);
  });

  test('an extra key in the signed object is not traced', () => {
    assert.equal(readTraceHeaders(signed({ base_id: BASE, parent_id: PARENT, evil: 1 }), [KEY]), null);
  });

  test('a signed object without base_id is not traced', () => {
    assert.equal(readTraceHeaders(signed({ parent_id: PARENT }), [KEY]), null);
  });

  test('a sent hmac_key is replaced by the key that matched', () => {
    assert.deepEqual(readTraceHeaders(signed({ base_id: BASE, hmac_key: 'forged' }), [KEY]), {
      base_id: BASE,
      hmac_key: KEY,
    });
  });

  test('an empty base_id is accepted (the profiler then starts a new trace id)', () => {
    assert.deepEqual(readTraceHeaders(signed({ base_id: '' }), [KEY]), {
      base_id: '',
      hmac_key: KEY,
    });
  });

  test('non-string ids are not traced', () => {
    assert.equal(readTraceHeaders(signed({ base_id: 42 }), [KEY]), null);
    assert.equal(readTraceHeaders(signed({ base_id: null }), [KEY]), null);
    assert.equal(readTraceHeaders(signed({ base_id: BASE, parent_id: { a: 1 } }), [KEY]), null);
  });
});

describe('size cap', () => {
  test(`an X-Trace-Info over ${MAX_TRACE_HEADER_BYTES} bytes is refused even when correctly signed`, () => {
    const headers = signed({ base_id: BASE + 'x'.repeat(7000) });
    assert.ok(headers[X_TRACE_INFO].length > MAX_TRACE_HEADER_BYTES);
    assert.equal(readTraceHeaders(headers, [KEY]), null);
  });

  test('an X-Trace-Info just under the cap is accepted', () => {
    const headers = signed({ base_id: BASE + 'x'.repeat(6000) });
    assert.ok(headers[X_TRACE_INFO].length <= MAX_TRACE_HEADER_BYTES);
    assert.equal(readTraceHeaders(headers, [KEY])?.hmac_key, KEY);
  });

  test('an oversized X-Trace-HMAC is refused even when it strips to the right hmac', () => {
    // U+001F is stripped like Python's str.strip() but kept by WHATWG Headers normalisation.
    const fits = HMAC + '\u001f'.repeat(MAX_TRACE_HEADER_BYTES - HMAC.length);
    assert.deepEqual(readTraceHeaders({ 'x-trace-info': INFO, 'x-trace-hmac': fits }, [KEY]), EXPECTED);
    const hmac = fits + '\u001f';
    assert.equal(readTraceHeaders({ 'x-trace-info': INFO, 'x-trace-hmac': hmac }, [KEY]), null);
    assert.equal(readTraceHeaders(new Headers({ 'x-trace-info': INFO, 'x-trace-hmac': hmac }), [KEY]), null);
  });
});

describe('garbage input never throws', () => {
  const garbage: Array<[string, unknown]> = [
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a string', 'x-trace-info: abc'],
    ['a boolean', true],
    ['an array', [INFO, HMAC]],
    ['a function', () => INFO],
    ['a symbol', Symbol('h')],
    ['a bigint', 10n],
    ['an object with number values', { 'x-trace-info': 1, 'x-trace-hmac': 2 }],
    ['an object with object values', { 'x-trace-info': { a: 1 }, 'x-trace-hmac': [null] }],
    ['an object with a null prototype', Object.assign(Object.create(null), { 'x-trace-info': 'a' })],
    [
      'an object whose get() throws',
      {
        get: () => {
          throw new Error('boom');
        },
      },
    ],
    ['an object whose get() returns objects', { get: () => ({}) }],
    [
      'a Proxy that throws on every read',
      new Proxy(
        {},
        {
          get: () => {
            throw new Error('boom');
          },
          ownKeys: () => {
            throw new Error('boom');
          },
        },
      ),
    ],
    [
      'an object with a throwing getter',
      Object.defineProperty({}, 'x-trace-info', {
        get: () => {
          throw new Error('boom');
        },
        enumerable: true,
      }),
    ],
  ];
  for (const [what, value] of garbage) {
    test(`${what} as headers gives null`, () => {
      assert.equal(readTraceHeaders(value, [KEY]), null);
    });
  }

  test('keys that are not an array give null', () => {
    const headers = { 'x-trace-info': INFO, 'x-trace-hmac': HMAC };
    for (const keys of [null, undefined, KEY, 42, { 0: KEY }]) {
      assert.equal(readTraceHeaders(headers, keys as unknown as string[]), null);
    }
  });

  test('non-string keys in the list are skipped', () => {
    const headers = { 'x-trace-info': INFO, 'x-trace-hmac': HMAC };
    assert.deepEqual(readTraceHeaders(headers, [null, 7, KEY] as unknown as string[]), EXPECTED);
  });
});

describe('parseHmacKeys', () => {
  test('splits on commas, strips each key and drops empty ones', () => {
    assert.deepEqual(parseHmacKeys(' SECRET_KEY , second-key ,'), ['SECRET_KEY', 'second-key']);
  });

  test('strips as Python does, including U+001F and no-break spaces', () => {
    assert.deepEqual(parseHmacKeys('\u001fa\u00a0,\tb\n'), ['a', 'b']);
  });

  test('gives no keys for undefined, an empty string or only commas', () => {
    assert.deepEqual(parseHmacKeys(undefined), []);
    assert.deepEqual(parseHmacKeys(''), []);
    assert.deepEqual(parseHmacKeys(' , ,'), []);
  });

  test('takes an array as the list itself (as Python does), without empty or non-string entries', () => {
    assert.deepEqual(parseHmacKeys([' a ', '', 'b,c', 5 as unknown as string]), [' a ', 'b,c']);
  });
});

describe('getTraceIdHeaders', () => {
  test('gives {} with no profiler', () => {
    assert.deepEqual(runInProfiler(undefined, getTraceIdHeaders), {});
  });

  test('gives {} for a profiler without a key or with an empty key', () => {
    assert.deepEqual(runInProfiler(new Profiler(undefined, BASE), getTraceIdHeaders), {});
    assert.deepEqual(runInProfiler(new Profiler('', BASE), getTraceIdHeaders), {});
  });

  test('gives headers that readTraceHeaders accepts with the same key', () => {
    const headers = runInProfiler(new Profiler(KEY, BASE, PARENT), getTraceIdHeaders);
    assert.deepEqual(headers, { [X_TRACE_INFO]: INFO, [X_TRACE_HMAC]: HMAC });
    assert.deepEqual(readTraceHeaders(headers, [KEY]), EXPECTED);
  });
});
