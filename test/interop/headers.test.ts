// headers.json: getTraceIdHeaders (client cases) and header acceptance (server cases) vs osprofiler.web.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadHeadersFixture, requestHeaders, type ServerCase } from '../helpers/headers-fixture.js';
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

const fixture = loadHeadersFixture();

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
        const info = keys === null ? null : readTraceHeaders(make(requestHeaders(c.request)), keys);
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
    const headers = requestHeaders(big.request);
    assert.ok(headers[X_TRACE_INFO].length > MAX_TRACE_HEADER_BYTES);
    // The signature itself is valid: Python traces it; the port refuses the size alone.
    assert.equal(generateHmac(headers[X_TRACE_INFO], 'SECRET_KEY'), headers[X_TRACE_HMAC]);
    assert.equal(signedUnpack(headers[X_TRACE_INFO], headers[X_TRACE_HMAC], ['SECRET_KEY']), null);
    assert.equal(readTraceHeaders(headers, ['SECRET_KEY']), null);
  });
});
