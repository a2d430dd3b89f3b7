// shortenId / getShortenId / uuidToInt128 must equal Python's for every vector in ids.json.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture } from '../helpers/fixtures.js';
import { getShortenId, setUuidGenerator, shortenId, shortenIdHex16, uuidToInt128 } from '../../src/core/ids.js';
import { Profiler } from '../../src/core/profiler.js';

interface IdsFixture {
  shorten_id: Array<{
    why: string;
    input?: string;
    input_int?: string;
    shorten_id: string;
    shorten_id_hex16?: string;
    get_shorten_id: string;
  }>;
  shorten_id_invalid: Array<{ why: string; input: unknown; frozen_uuid_used?: string; shorten_id?: string }>;
  uuid_to_int128_head: Array<{
    input: string;
    int128: string;
    hex32: string;
    span_id_hex16: string;
    frozen_uuid_used?: string;
  }>;
}
const ids = loadFixture<IdsFixture>('ids.json');

describe('ids.json', () => {
  for (const c of ids.shorten_id) {
    it(`shorten_id: ${c.why}`, () => {
      const input = c.input ?? BigInt(c.input_int!);
      assert.equal(shortenId(input).toString(), c.shorten_id);
      assert.equal(getShortenId(input), c.get_shorten_id);
      if (c.shorten_id_hex16) assert.equal(shortenIdHex16(input), c.shorten_id_hex16);
      if (c.input) assert.equal(new Profiler('k').getShortenId(c.input), c.get_shorten_id);
    });
  }
  for (const c of ids.shorten_id_invalid) {
    it(`invalid input never throws: ${c.why}`, () => {
      if (c.frozen_uuid_used) {
        setUuidGenerator(() => c.frozen_uuid_used!);
        try {
          assert.equal(shortenId(c.input).toString(), c.shorten_id);
        } finally {
          setUuidGenerator(undefined);
        }
      } else {
        assert.equal(typeof shortenId(c.input), 'bigint');
      }
    });
  }
  for (const c of ids.uuid_to_int128_head) {
    it(`uuid_to_int128: ${c.input}`, () => {
      if (c.frozen_uuid_used) setUuidGenerator(() => c.frozen_uuid_used!);
      try {
        assert.equal(uuidToInt128(c.input).toString(), c.int128);
        assert.equal(uuidToInt128(c.input).toString(16).padStart(32, '0'), c.hex32);
      } finally {
        setUuidGenerator(undefined);
      }
    });
  }
});
