// Header pairs for fuzzing the signed-header path: random ones and mutations of valid signed pairs,
// an independent oracle for "validly signed", and a runner over signedUnpack and wrapListener.
import { createHmac, randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import fc from 'fast-check';

import { currentProfiler } from '../../src/core/context.js';
import { wrapListener } from '../../src/instrumentation/http-server/node-http.js';
import { setNotifier } from '../../src/notifier/notifier.js';
import { MAX_TRACE_HEADER_BYTES } from '../../src/propagation/headers.js';
import { pythonStrip, signedPack, signedUnpack } from '../../src/propagation/signing.js';

export const FUZZ_KEY = 'fuzz-secret-key';

/** One `X-Trace-Info` / `X-Trace-HMAC` pair as a client could send it. */
export interface HeaderPair {
  info: string;
  hmac: string;
}

/** A valid signed pair (what a caller holding the key sends). */
export function validPair(baseId: string, parentId: string, key = FUZZ_KEY): HeaderPair {
  const [info, hmac] = signedPack({ base_id: baseId, parent_id: parentId }, key);
  return { info, hmac: hmac! };
}

/**
 * True when `hmac` is the HMAC-SHA1 of exactly `info` under FUZZ_KEY, computed here with
 * node:crypto (not the library's own HMAC). Only Python's strip of the hmac header is allowed.
 */
export function genuinelySigned(pair: HeaderPair): boolean {
  const digest = createHmac('sha1', Buffer.from(FUZZ_KEY, 'utf8')).update(Buffer.from(pair.info, 'utf8')).digest('hex');
  return pythonStrip(pair.hmac) === digest;
}

const uuidArb = fc.uuid({ version: 4 });
const validArb = fc.tuple(uuidArb, uuidArb).map(([b, p]) => validPair(b, p));
const fieldArb = fc.constantFrom<'info' | 'hmac'>('info', 'hmac');

type Mutation = (pair: HeaderPair) => fc.Arbitrary<HeaderPair>;

const edit = (pair: HeaderPair, field: 'info' | 'hmac', text: string): HeaderPair => ({ ...pair, [field]: text });

const bitFlip: Mutation = (pair) =>
  fc.tuple(fieldArb, fc.nat(), fc.integer({ min: 0, max: 15 })).map(([field, at, bit]) => {
    const text = pair[field];
    const i = at % text.length;
    return edit(
      pair,
      field,
      text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ (1 << bit)) + text.slice(i + 1),
    );
  });
const truncate: Mutation = (pair) =>
  fc
    .tuple(fieldArb, fc.nat())
    .map(([field, at]) => edit(pair, field, pair[field].slice(0, at % Math.max(1, pair[field].length))));
const padding: Mutation = (pair) =>
  fc.tuple(fc.constantFrom('=', '==', '===', '%3D', '.'), fc.boolean(), fc.nat()).map(([pad, strip, at]) => {
    const bare = pair.info.replace(/=+$/, '');
    if (strip) return edit(pair, 'info', bare);
    const i = at % (bare.length + 1);
    return edit(pair, 'info', at % 2 === 0 ? bare + pad : bare.slice(0, i) + pad + bare.slice(i));
  });
const caseChange: Mutation = (pair) =>
  fc.tuple(fieldArb, fc.nat(), fc.constantFrom('one', 'upper', 'lower')).map(([field, at, how]) => {
    const text = pair[field];
    if (how === 'upper') return edit(pair, field, text.toUpperCase());
    if (how === 'lower') return edit(pair, field, text.toLowerCase());
    if (text.length === 0) return pair;
    const i = at % text.length;
    const ch = text[i]!;
    const swapped = ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
    return edit(pair, field, text.slice(0, i) + swapped + text.slice(i + 1));
  });
const oversized: Mutation = (pair) =>
  fc
    .tuple(fieldArb, fc.integer({ min: MAX_TRACE_HEADER_BYTES - 64, max: 4 * MAX_TRACE_HEADER_BYTES }), fc.boolean())
    .map(([field, size, multiByte]) =>
      edit(pair, field, pair[field] + (multiByte ? '\u00e9' : 'A').repeat(Math.max(0, size - pair[field].length))),
    );
const unicode: Mutation = (pair) =>
  fc.tuple(fieldArb, fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 8 })).map(([field, at, text]) => {
    const i = at % (pair[field].length + 1);
    return edit(pair, field, pair[field].slice(0, i) + text + pair[field].slice(i));
  });
const alphabet: Mutation = (pair) => fc.constant(edit(pair, 'info', pair.info.replace(/-/g, '+').replace(/_/g, '/')));
const whitespace: Mutation = (pair) =>
  fc
    .tuple(fieldArb, fc.constantFrom(' ', '\t', '\n', '\x1c', '\u00a0', '\ufeff', '\u2028'), fc.boolean())
    .map(([field, ws, before]) => edit(pair, field, before ? ws + pair[field] : pair[field] + ws));
const otherSignature: Mutation = (pair) =>
  fc
    .tuple(uuidArb, fc.constantFrom(FUZZ_KEY, 'another-key', FUZZ_KEY.toUpperCase(), ''))
    .map(([base, key]) => ({ info: pair.info, hmac: validPair(base, base, key || 'x').hmac }));
const unsignedPayload: Mutation = (pair) =>
  fc
    .jsonValue()
    .map((value) => ({ info: Buffer.from(JSON.stringify(value) ?? 'null').toString('base64'), hmac: pair.hmac }));

const MUTATIONS = [
  bitFlip,
  truncate,
  padding,
  caseChange,
  oversized,
  unicode,
  alphabet,
  whitespace,
  otherSignature,
  unsignedPayload,
];

/** Applies 1 to 3 mutations to a valid pair. */
const mutatedArb: fc.Arbitrary<HeaderPair> = fc
  .tuple(validArb, fc.array(fc.constantFrom(...MUTATIONS), { minLength: 1, maxLength: 3 }))
  .chain(([pair, steps]) => steps.reduce<fc.Arbitrary<HeaderPair>>((arb, step) => arb.chain(step), fc.constant(pair)));

/** Random header values: any text, hex-looking hmacs, base64-looking infos. */
const randomArb: fc.Arbitrary<HeaderPair> = fc.record({
  info: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.base64String()),
  hmac: fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-fA-F]{38,42}$/), fc.string({ unit: 'binary' })),
});

/** What the fuzzer sends: mostly mutations of valid pairs, some random ones, a few untouched valid ones. */
export const headerPairArb: fc.Arbitrary<HeaderPair> = fc.oneof(
  { weight: 14, arbitrary: mutatedArb },
  { weight: 5, arbitrary: randomArb },
  { weight: 1, arbitrary: validArb },
);

/** Counters of one fuzz run. */
export interface FuzzCounts {
  pairs: number;
  exceptions: number;
  /** Pairs accepted (unpacked or traced) although not validly signed: must stay 0. */
  unsignedAccepted: number;
  /** Validly signed pairs that were traced (shows the oracle and the path agree on real pairs). */
  signedTraced: number;
  firstFailure?: { pair: HeaderPair; what: string };
}

/**
 * Drives `pair` through signedUnpack and a wrapListener-wrapped listener (a real IncomingMessage
 * and ServerResponse, the notifier counting starts), updating `counts`.
 */
export function fuzzOne(pair: HeaderPair, counts: FuzzCounts, listener: FuzzListener): void {
  counts.pairs++;
  const signed = genuinelySigned(pair);
  const fail = (what: string): void => {
    counts.firstFailure ??= { pair, what };
  };
  try {
    const unpacked = signedUnpack(pair.info, pair.hmac, [FUZZ_KEY]);
    if (unpacked !== null && !signed) {
      counts.unsignedAccepted++;
      fail('signedUnpack accepted it');
    }
    const traced = listener.run(pair);
    if (traced && !signed) {
      counts.unsignedAccepted++;
      fail('wrapListener traced it');
    }
    if (traced && signed) counts.signedTraced++;
  } catch (error) {
    counts.exceptions++;
    fail(`threw ${(error as Error)?.message}`);
  }
}

/** A wrapListener-wrapped listener called with real request objects; says whether it ran traced. */
export interface FuzzListener {
  run(pair: HeaderPair): boolean;
  close(): void;
}

export function fuzzListener(): FuzzListener {
  let starts = 0;
  setNotifier((n) => {
    if (n.name.endsWith('-start')) starts++;
  });
  let inTrace = false;
  const wrapped = wrapListener(
    (_req: IncomingMessage, _res: ServerResponse) => {
      inTrace = currentProfiler() !== undefined;
    },
    { hmacKeys: [FUZZ_KEY] },
  );
  const socket = new Socket();
  return {
    run(pair) {
      const req = new IncomingMessage(socket);
      req.method = 'GET';
      req.url = '/fuzz';
      req.headers = { host: 'localhost', 'x-trace-info': pair.info, 'x-trace-hmac': pair.hmac };
      const res = new ServerResponse(req);
      const before = starts;
      inTrace = false;
      wrapped(req, res);
      res.emit('close'); // ends a span that was started
      return inTrace || starts !== before;
    },
    close() {
      setNotifier(undefined);
      socket.destroy();
    },
  };
}

/** A fresh random trace id (for callers that need one outside fast-check). */
export const someUuid = (): string => randomUUID();
