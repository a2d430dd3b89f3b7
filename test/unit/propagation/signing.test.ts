// Unit tests of the signing fast paths: HMAC-SHA1 from precomputed pads and the one-pass base64
// decoder must agree with node:crypto and with Python's lenient decoder on every input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { hmacSha1Hex } from '../../../src/propagation/hmac-sha1.js';
import { generateHmac, pythonUrlsafeB64decode, signedPack, signedUnpack } from '../../../src/propagation/signing.js';

const reference = (data: string, key: string): string => createHmac('sha1', key).update(data, 'utf8').digest('hex');

/** A random string of `length` code units drawn from `alphabet` (a function of a random int). */
function randomText(length: number, unit: () => number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(unit());
  return text;
}
const ascii = (): number => randomInt(0, 0x80);
const anyUnit = (): number => (randomInt(0, 4) === 0 ? randomInt(0xd800, 0xe000) : randomInt(0, 0x10000));

describe('hmacSha1Hex equals createHmac', () => {
  test('ASCII keys of every length up to two blocks, messages around the block boundaries', () => {
    for (let keyLength = 0; keyLength <= 130; keyLength++) {
      const key = randomText(keyLength, ascii);
      for (const dataLength of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 121, 140, 200, 1000]) {
        const data = randomText(dataLength, ascii);
        assert.equal(hmacSha1Hex(data, key), reference(data, key), `key ${keyLength}, data ${dataLength}`);
      }
    }
  });

  test('non-ASCII keys and data, lone surrogates included', () => {
    for (let i = 0; i < 500; i++) {
      const key = randomText(randomInt(0, 80), anyUnit);
      const data = randomText(randomInt(0, 300), anyUnit);
      assert.equal(hmacSha1Hex(data, key), reference(data, key));
    }
  });

  test('the same key many times, and many keys (past the pad cache bound)', () => {
    const data = randomText(140, ascii);
    for (let i = 0; i < 200; i++) {
      const key = `key-${i % 100}`;
      assert.equal(hmacSha1Hex(data, key), reference(data, key));
    }
  });

  test('messages longer than the JavaScript path takes, and the same key again after them', () => {
    const key = 'SECRET_KEY';
    for (const data of [randomText(70_000, ascii), randomText(140, ascii)]) {
      assert.equal(hmacSha1Hex(data, key), reference(data, key));
    }
  });

  test('generateHmac is the same function', () => {
    assert.equal(generateHmac('abc', 'SECRET_KEY'), reference('abc', 'SECRET_KEY'));
  });
});

describe('signedUnpack decodes what Python decodes', () => {
  const KEY = 'SECRET_KEY';
  const sign = (data: string): string => reference(data, KEY);

  test('random objects, packed as signedPack does, round-trip (non-ASCII values included)', () => {
    for (let i = 0; i < 300; i++) {
      const object = { base_id: randomText(randomInt(0, 50), anyUnit), n: randomInt(0, 1e9), ok: i % 2 === 0 };
      const [packed, hmac] = signedPack(object, KEY);
      const expected = JSON.parse(JSON.stringify(object)) as Record<string, unknown>;
      assert.deepEqual(signedUnpack(packed, hmac, [KEY]), { ...expected, hmac_key: KEY });
    }
  });

  test('every padding form and both alphabets give the lenient decoder’s result', () => {
    for (let i = 0; i < 2000; i++) {
      // JSON text of random length, so that all three padding forms occur.
      const json = JSON.stringify({ v: randomBytes(randomInt(0, 60)).toString('latin1') });
      const bytes = Buffer.from(json, 'utf8');
      const forms = [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('base64url') + '=='];
      for (const data of forms) {
        const lenient = pythonUrlsafeB64decode(data);
        const expected =
          lenient === null ? null : { ...JSON.parse(Buffer.from(lenient).toString('utf8')), hmac_key: KEY };
        assert.deepEqual(signedUnpack(data, sign(data), [KEY]), expected, data);
      }
    }
  });

  test('canonical-looking input the one-pass decoder refuses still gets Python’s answer', () => {
    const json = Buffer.from('{"a": 1}', 'utf8').toString('base64'); // eyJhIjogMX0=
    const cases: Array<[string, Record<string, unknown> | null]> = [
      [json, { a: 1 }],
      [json.slice(0, -1), null], // unpadded: Python refuses
      [`${json.slice(0, 4)}\n${json.slice(4)}`, { a: 1 }], // junk characters are skipped
      [`${json}AAAA`, { a: 1 }], // data after the padding is ignored
      ['=' + json, { a: 1 }], // a stray pad before any data is skipped
      [json.replace('J', '\u00e9'), null], // non-ASCII: refused
    ];
    for (const [data, expected] of cases) {
      assert.deepEqual(
        signedUnpack(data, sign(data), [KEY]),
        expected === null ? null : { ...expected, hmac_key: KEY },
        data,
      );
    }
  });

  test('whole quads with junk, a stray pad or a mixed alphabet inside give the lenient decoder’s result', () => {
    const junk = ['*', ' ', '\n', '=', '.', '\u00e9', '-', '_', '+', '/'];
    for (let i = 0; i < 3000; i++) {
      const json = JSON.stringify({ v: randomBytes(randomInt(0, 40)).toString('hex') });
      const chars = [...Buffer.from(json, 'utf8').toString('base64')];
      // the same length, so only the characters can tell it from canonical input
      for (let m = randomInt(1, 3); m > 0; m--) chars[randomInt(0, chars.length)] = junk[randomInt(0, junk.length)]!;
      const data = chars.join('');
      const lenient = pythonUrlsafeB64decode(data);
      let expected: Record<string, unknown> | null = null;
      try {
        const value: unknown =
          lenient === null ? null : JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(lenient));
        if (value !== null && typeof value === 'object' && !Array.isArray(value))
          expected = { ...value, hmac_key: KEY };
      } catch {
        expected = null;
      }
      assert.deepEqual(signedUnpack(data, sign(data), [KEY]), expected, data);
    }
  });

  test('invalid UTF-8 inside valid base64 is refused', () => {
    const data = Buffer.from([0x7b, 0xff, 0x7d]).toString('base64');
    assert.equal(signedUnpack(data, sign(data), [KEY]), null);
  });

  test('an hmac that is not 40 lower-case hex digits never matches', () => {
    const [packed, hmac] = signedPack({ base_id: 'x' }, KEY);
    assert.ok(signedUnpack(packed, hmac, [KEY]));
    assert.ok(signedUnpack(packed, ` ${hmac}\n`, [KEY]), 'surrounding whitespace is stripped, as Python does');
    // One digit swapped for a character whose low seven (or eight) bits are that same digit.
    const lookalike = (offset: number): string =>
      hmac!.replace(/^./, (digit) => String.fromCharCode(digit.charCodeAt(0) + offset));
    const lookalikes = [lookalike(0x80), lookalike(0x100)];
    for (const bad of [hmac!.toUpperCase(), hmac!.slice(1), `${hmac}0`, hmac!.replace(/.$/, 'g'), ...lookalikes]) {
      assert.equal(signedUnpack(packed, bad, [KEY]), null, bad);
    }
  });
});

describe('the context fast path parses exactly as JSON.parse', () => {
  const KEY = 'SECRET_KEY';
  /** What signedUnpack must return for `text`: JSON.parse's object, or null where it fails. */
  function expectedFor(text: string): Record<string, unknown> | null {
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === 'object' && !Array.isArray(value)
        ? { ...(value as Record<string, unknown>), hmac_key: KEY }
        : null;
    } catch {
      return null;
    }
  }
  const unpackText = (text: string): Record<string, unknown> | null => {
    const data = Buffer.from(text, 'utf8').toString('base64url');
    const padded = data + '='.repeat((4 - (data.length % 4)) % 4);
    return signedUnpack(padded, reference(padded, KEY), [KEY]);
  };

  test('texts shaped like the context, with quotes, escapes, control characters and overlaps', () => {
    const pieces = [
      'a',
      '"',
      '\\',
      '\\"',
      '\\u0041',
      '\n',
      '\x01',
      ',',
      ' ',
      ':',
      '}',
      '{',
      '", "parent_id": "',
      'é',
      '\u2028',
    ];
    const piece = (): string => pieces[randomInt(0, pieces.length)]!;
    const value = (): string => Array.from({ length: randomInt(0, 5) }, piece).join('');
    const shapes = [
      (): string => `{"base_id": "${value()}", "parent_id": "${value()}"}`,
      (): string => `{"base_id": "${value()}", "parent_id": "${value()}"}${piece()}`,
      (): string => `{"base_id": "${value()}"}`,
      (): string => `{"base_id": "${value()}", "parent_id": "}`,
      (): string => `{"base_id": "${value()}", "parent_id": "${value()}", "x": 1}`,
    ];
    for (let i = 0; i < 5000; i++) {
      const text = shapes[randomInt(0, shapes.length)]!();
      assert.deepEqual(unpackText(text), expectedFor(text), JSON.stringify(text));
    }
  });

  test('the exact text Python sends gives both ids', () => {
    const text =
      '{"base_id": "4f6e7c1e-0000-4000-8000-000000000001", "parent_id": "4f6e7c1e-0000-4000-8000-000000000002"}';
    assert.deepEqual(unpackText(text), expectedFor(text));
    assert.equal(unpackText('{"base_id": "", "parent_id": "}'), null);
  });
});
