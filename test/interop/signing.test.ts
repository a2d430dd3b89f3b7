// signing.json: signedPack / generateHmac / signedUnpack against Python OSProfiler's _utils.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture } from '../helpers/fixtures.js';
import { generateHmac, signedPack, signedUnpack } from '../../src/propagation/signing.js';
import { pythonJsonDumps } from '../../src/propagation/python-json.js';

interface PackCase {
  why: string;
  data: Record<string, unknown>;
  key: string | null;
  json: string;
  packed: string;
  hmac: string | null;
}
interface HmacCase {
  why: string;
  data: string;
  key: string;
  hmac: string;
}
interface UnpackCase {
  why: string;
  data: unknown;
  hmac: unknown;
  keys: unknown;
  port_result: Record<string, unknown> | null;
  port_result_compare_only?: string[];
}
interface SigningFixture {
  pack: PackCase[];
  generate_hmac: HmacCase[];
  unpack: UnpackCase[];
}

const fixture = loadFixture<SigningFixture>('signing.json');

describe('signedPack gives the bytes Python gives', () => {
  for (const c of fixture.pack) {
    test(c.why, () => {
      assert.equal(pythonJsonDumps(c.data), c.json);
      const [packed, hmac] = signedPack(c.data, c.key);
      assert.equal(packed, c.packed);
      assert.equal(hmac, c.hmac);
    });
  }
});

describe('generateHmac gives the hex digest Python gives', () => {
  for (const c of fixture.generate_hmac) {
    test(c.why, () => {
      assert.equal(generateHmac(c.data, c.key), c.hmac);
    });
  }
});

describe('signedUnpack gives the port result of every case', () => {
  for (const c of fixture.unpack) {
    test(c.why, () => {
      let result: Record<string, unknown> | null = null;
      assert.doesNotThrow(() => {
        result = signedUnpack(c.data, c.hmac, c.keys);
      });
      if (c.port_result_compare_only !== undefined && c.port_result !== null) {
        assert.notEqual(result, null);
        for (const key of c.port_result_compare_only) {
          assert.deepEqual(result![key], c.port_result[key], key);
        }
      } else {
        assert.deepEqual(result, c.port_result);
      }
    });
  }
});
