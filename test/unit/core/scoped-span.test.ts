// Unit tests of src/core/scoped-span.ts: the one primitive behind traced calls, db, server and client spans.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ScopedSpan } from '../../../src/core/scoped-span.js';
import { Profiler } from '../../../src/core/profiler.js';
import { setNotifier } from '../../../src/notifier/notifier.js';
import type { Notification } from '../../../src/core/payload.js';

let sent: Notification[] = [];
setNotifier((n) => void sent.push(n));
afterEach(() => (sent = []));

describe('ScopedSpan', () => {
  it('starts a point under the parent’s current point and stops it exactly once', () => {
    const parent = new Profiler('k');
    const span = new ScopedSpan(parent, 'db', { db: { statement: 'SELECT 1' } });
    assert.equal(span.open, true);
    assert.equal(span.stop({ x: 1 }), true);
    assert.equal(span.stop({ x: 2 }), false);
    assert.equal(span.open, false);
    assert.deepEqual(
      sent.map((n) => [n.name, n.parent_id]),
      [
        ['db-start', parent.getId()],
        ['db-stop', parent.getId()],
      ],
    );
    assert.equal(sent[0].trace_id, sent[1].trace_id);
    assert.deepEqual(sent[1].info, { host: sent[1].info.host, x: 1 });
  });

  it('leaves the parent’s stack alone, so concurrent siblings both report the parent', () => {
    const parent = new Profiler('k');
    const a = new ScopedSpan(parent, 'a');
    const b = new ScopedSpan(parent, 'b');
    b.stop();
    a.stop();
    assert.equal(parent.getId(), parent.getBaseId());
    assert.deepEqual(
      sent.map((n) => n.parent_id),
      [parent.getId(), parent.getId(), parent.getId(), parent.getId()],
    );
  });

  it('stops its own point even when nested work left an imperative point open on its view', () => {
    const span = new ScopedSpan(new Profiler('k'), 'rpc');
    span.profiler.start('left-open');
    span.stop();
    const stop = sent.find((n) => n.name === 'rpc-stop');
    assert.ok(stop);
    assert.equal(stop.trace_id, sent[0].trace_id);
    assert.equal(sent.filter((n) => n.name === 'left-open-stop').length, 0);
  });
});
