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

  it('owned: opens on the given profiler and adds host to the caller-made infos in place', () => {
    const profiler = new Profiler('k', 'base', 'parent');
    const startInfo = { request: { path: '/p' } };
    const span = new ScopedSpan(profiler, 'wsgi', startInfo, true);
    assert.equal(span.profiler, profiler);
    assert.equal(profiler.getId(), sent[0].trace_id);
    const stopInfo = { request: { status_code: 200 } };
    span.stop(stopInfo, true);
    assert.deepEqual(
      sent.map((n) => [n.name, n.parent_id, n.info]),
      [
        ['wsgi-start', 'parent', { request: { path: '/p' }, host: sent[0].info.host }],
        ['wsgi-stop', 'parent', { request: { status_code: 200 }, host: sent[0].info.host }],
      ],
    );
    assert.equal(sent[0].info, startInfo);
    assert.equal(sent[1].info, stopInfo);
  });

  it('stops through a fork on a profiler of an older installed copy, which has no openPoint', () => {
    // why: two installed copies share the context slot, so a parent may come from an older one.
    const parent = new Profiler('k');
    const view = parent.fork();
    Object.assign(view, { openPoint: undefined, stopPoint: undefined });
    const older = Object.assign(Object.create(parent) as Profiler, { fork: () => view });
    const span = new ScopedSpan(older, 'db');
    view.start('left-open');
    assert.equal(span.stop(), true);
    assert.equal(span.stop(), false);
    assert.deepEqual(
      sent.map((n) => n.name),
      ['db-start', 'left-open-start', 'db-stop'],
    );
    assert.equal(sent[2].trace_id, sent[0].trace_id);
  });
});
