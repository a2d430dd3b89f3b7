// headers.json: getTraceIdHeaders (client cases) and header acceptance (server cases) vs osprofiler.web.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture } from '../helpers/fixtures.js';
import { Profiler } from '../../src/core/profiler.js';
import { runInProfiler } from '../../src/core/context.js';
import { setUuidGenerator } from '../../src/core/ids.js';
import { generateHmac, signedUnpack } from '../../src/propagation/signing.js';
import {
  MAX_TRACE_HEADER_BYTES,
  X_TRACE_HMAC,
  X_TRACE_INFO,
  getTraceIdHeaders,
  parseHmacKeys,
  readTraceHeaders,
} from '../../src/propagation/headers.js';

interface ClientCase {
  why: string;
  init: {
    hmac_key: string | null;
    base_id?: string;
    parent_id?: string;
  } | null;
  starts: number;
  stops: number;
  ids_generated: string[];
  profiler_state: { base_id: string; parent_id: string; id: string } | null;
  headers: Record<string, string>;
  decoded_info?: Record<string, string>;
}
interface ServerCase {
  why: string;
  request: {
    headers: Record<string, string>;
    raw_environ?: Record<string, string>;
  };
  middleware: { hmac_keys: string; enabled: boolean };
  web_enable: string | null;
  web_disable: boolean;
  traced: boolean;
  port_traced?: boolean;
  base_id: string | null;
  parent_id: string | null;
  app_saw_profiler: { hmac_key: string } | null;
  ids_generated: string[];
}
interface HeadersFixture {
  header_names: { info: string; hmac: string };
  client: ClientCase[];
  server: ServerCase[];
}

const fixture = loadFixture<HeadersFixture>('headers.json');

function feedIds(ids: readonly string[]): void {
  const queue = [...ids];
  setUuidGenerator(() => {
    const next = queue.shift();
    assert.ok(next !== undefined, 'more uuids requested than the fixture generated');
    return next;
  });
}

afterEach(() => setUuidGenerator(undefined));

test('the header names are the ones Python uses', () => {
  assert.equal(X_TRACE_INFO, fixture.header_names.info);
  assert.equal(X_TRACE_HMAC, fixture.header_names.hmac);
});

describe('getTraceIdHeaders gives the headers Python gives', () => {
  for (const c of fixture.client) {
    test(c.why, () => {
      feedIds(c.ids_generated);
      if (c.init === null) {
        assert.deepEqual(runInProfiler(undefined, getTraceIdHeaders), c.headers);
        return;
      }
      const profiler = new Profiler(c.init.hmac_key ?? undefined, c.init.base_id, c.init.parent_id);
      for (let i = 0; i < c.starts; i++) profiler.start('span');
      for (let i = 0; i < c.stops; i++) profiler.stop();
      assert.deepEqual(
        {
          base_id: profiler.getBaseId(),
          parent_id: profiler.getParentId(),
          id: profiler.getId(),
        },
        c.profiler_state,
      );
      const headers = runInProfiler(profiler, getTraceIdHeaders);
      assert.deepEqual(headers, c.headers);
      if (c.decoded_info !== undefined) {
        const decoded = signedUnpack(headers[X_TRACE_INFO], headers[X_TRACE_HMAC], [c.init.hmac_key]);
        assert.deepEqual(decoded, c.decoded_info);
      }
    });
  }
});

/** The request's headers as sent (WSGI environ names turned back into header names). */
function requestHeaders(c: ServerCase): Record<string, string> {
  const headers = { ...c.request.headers };
  for (const [name, value] of Object.entries(c.request.raw_environ ?? {})) {
    if (name.startsWith('HTTP_')) headers[name.slice(5).replace(/_/g, '-').toLowerCase()] = value;
  }
  return headers;
}

/** The keys and switch Python's middleware ends up with (global web.enable/disable win). */
function middlewareKeys(c: ServerCase): string[] | null {
  const enabled = c.web_disable ? false : c.web_enable !== null ? true : c.middleware.enabled;
  if (!enabled) return null;
  const globalKeys = parseHmacKeys(c.web_enable ?? undefined);
  return globalKeys.length > 0 ? globalKeys : parseHmacKeys(c.middleware.hmac_keys);
}

const shapes: Record<string, (h: Record<string, string>) => unknown> = {
  'a plain object': (h) => h,
  'Node IncomingHttpHeaders': (h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v])),
  'a WHATWG Headers': (h) => new Headers(h),
};

describe('readTraceHeaders accepts exactly the requests Python traces', () => {
  for (const c of fixture.server) {
    test(c.why, () => {
      const expectTraced = c.port_traced ?? c.traced;
      const keys = middlewareKeys(c);
      for (const [shape, make] of Object.entries(shapes)) {
        const info = keys === null ? null : readTraceHeaders(make(requestHeaders(c)), keys);
        assert.equal(info !== null, expectTraced, `${shape}: traced`);
        if (info === null) continue;
        assert.equal(info.hmac_key, c.app_saw_profiler?.hmac_key, `${shape}: hmac_key`);
        // The ids a profiler started from these headers ends up with (base_id '' → a new id).
        feedIds(c.ids_generated);
        const profiler = new Profiler(info.hmac_key, info.base_id, info.parent_id);
        assert.equal(profiler.getBaseId(), c.base_id, `${shape}: base_id`);
        assert.equal(profiler.getId(), c.parent_id, `${shape}: parent_id`);
      }
    });
  }

  test('the oversized case is refused only because of the 8 KiB cap', () => {
    const big = fixture.server.find((c) => c.port_traced === false && c.traced);
    assert.ok(big);
    const headers = requestHeaders(big);
    assert.ok(headers[X_TRACE_INFO].length > MAX_TRACE_HEADER_BYTES);
    // The signature itself is valid: Python traces it; the port refuses the size alone.
    assert.equal(generateHmac(headers[X_TRACE_INFO], 'SECRET_KEY'), headers[X_TRACE_HMAC]);
    assert.equal(signedUnpack(headers[X_TRACE_INFO], headers[X_TRACE_HMAC], ['SECRET_KEY']), null);
    assert.equal(readTraceHeaders(headers, ['SECRET_KEY']), null);
  });
});
