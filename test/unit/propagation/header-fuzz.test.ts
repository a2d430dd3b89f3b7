// Fuzzing the signed-header path (CI size; the 1,000,000-pair run is scripts/fuzz-headers.mjs):
// random and mutated header pairs through signedUnpack and wrapListener never throw, and nothing
// without a valid signature is unpacked or traced.
import { strict as assert } from 'node:assert';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';

import { currentProfiler } from '../../../src/core/context.js';
import { wrapListener } from '../../../src/instrumentation/http-server/node-http.js';
import { closeServer, listenLocal } from '../../helpers/http.js';
import {
  FUZZ_KEY,
  fuzzListener,
  fuzzOne,
  genuinelySigned,
  headerPairArb,
  validPair,
  type FuzzCounts,
} from '../../helpers/header-fuzz.js';

describe('fuzzing the signed trace headers', () => {
  it('the oracle tells a valid pair from a tampered one', () => {
    const pair = validPair('11111111-2222-4333-8444-555555555555', '11111111-2222-4333-8444-555555555555');
    assert.equal(genuinelySigned(pair), true);
    assert.equal(genuinelySigned({ ...pair, hmac: pair.hmac.toUpperCase() }), false);
    assert.equal(genuinelySigned({ ...pair, info: `${pair.info}=` }), false);
  });

  it('20,000 random and mutated pairs through signedUnpack and wrapListener: 0 exceptions, 0 unsigned traces', () => {
    const counts: FuzzCounts = { pairs: 0, exceptions: 0, unsignedAccepted: 0, signedTraced: 0 };
    const listener = fuzzListener();
    try {
      fc.assert(
        fc.property(headerPairArb, (pair) => {
          fuzzOne(pair, counts, listener);
          return counts.exceptions === 0 && counts.unsignedAccepted === 0;
        }),
        { numRuns: 20_000 },
      );
    } finally {
      listener.close();
    }
    assert.equal(counts.exceptions, 0, JSON.stringify(counts.firstFailure));
    assert.equal(counts.unsignedAccepted, 0, JSON.stringify(counts.firstFailure));
    assert.ok(counts.signedTraced > 100, `validly signed pairs are traced (${counts.signedTraced})`);
  });

  it('over a real server, mutated pairs never start a trace without a valid signature', async () => {
    let traced = 0;
    let tracedUnsigned = 0;
    const server = http.createServer(
      wrapListener(
        (req, res) => {
          if (currentProfiler() !== undefined) {
            traced++;
            const pair = { info: String(req.headers['x-trace-info']), hmac: String(req.headers['x-trace-hmac']) };
            if (!genuinelySigned(pair)) tracedUnsigned++;
          }
          res.end('ok');
        },
        { hmacKeys: [FUZZ_KEY] },
      ),
    );
    const url = await listenLocal(server);
    after(() => closeServer(server));
    // why: only values HTTP can carry (no control characters, Latin-1) and as it delivers them (trimmed).
    const sendable = headerPairArb.filter(
      (p) =>
        /^[\x21-\x7e\x80-\xff]([\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?$/.test(p.info) &&
        /^[\x21-\x7e]+$/.test(p.hmac),
    );
    const pairs = fc.sample(sendable, { numRuns: 300, seed: 15 });
    let failures = 0;
    for (const pair of pairs) {
      const reply = await fetch(url, { headers: { 'X-Trace-Info': pair.info, 'X-Trace-HMAC': pair.hmac } });
      // why: 431 is Node's own answer to headers over its 16 KB limit, before any listener runs.
      if (reply.status !== 200 && reply.status !== 431) failures++;
      await reply.arrayBuffer();
    }
    assert.equal(failures, 0, 'every request answered');
    assert.equal(tracedUnsigned, 0);
    assert.ok(traced > 0, 'valid pairs among them were traced');
  });
});
