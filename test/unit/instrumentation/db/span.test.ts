import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DbSpan,
  followConf,
  resolveOptions,
  settleWith,
  stoppingCallback,
  tracingProfiler,
} from '../../../../src/instrumentation/db/span.js';
import { loadConf, resetConf } from '../../../../src/config/conf.js';
import { currentProfiler } from '../../../../src/core/context.js';
import { runWithProfiler } from '../../../../src/core/current.js';
import { Profiler } from '../../../../src/core/profiler.js';
import { captureEachTest } from '../../../helpers/capture.js';

const sent = captureEachTest();

const profiler = (): Profiler => new Profiler('key', 'base', 'root');

describe('db span options and lifecycle', () => {
  it('defaults: enabled follows the conf, params shown, results hidden, name db', () => {
    const o = resolveOptions(undefined);
    assert.equal(o.enabled, followConf);
    assert.equal(o.hideParams, false);
    assert.equal(o.hideResult, true);
    assert.equal(o.name, 'db');
    assert.equal(resolveOptions({ name: '' }).name, 'db');
  });

  it('traces only inside a trace and when enabled() agrees; a throwing enabled() means no', () => {
    const o = resolveOptions(undefined);
    assert.equal(tracingProfiler(o), undefined);
    const p = profiler();
    assert.equal(
      runWithProfiler(p, () => tracingProfiler(o)),
      p,
    );
    assert.equal(
      runWithProfiler(p, () => tracingProfiler(resolveOptions({ enabled: () => false }))),
      undefined,
    );
    const throwing = resolveOptions({
      enabled: () => {
        throw new Error('bad option');
      },
    });
    assert.equal(
      runWithProfiler(p, () => tracingProfiler(throwing)),
      undefined,
    );
  });

  it('by default traces when no conf enables profiling, else as trace_sqlalchemy says', () => {
    const p = profiler();
    const traced = (): boolean => runWithProfiler(p, () => tracingProfiler(resolveOptions(undefined))) === p;
    try {
      assert.equal(traced(), true, 'no [profiler] configuration: the instrument call is the opt-in');
      loadConf({ env: {}, overrides: { enabled: true } });
      assert.equal(traced(), false, 'enabled = true, trace_sqlalchemy = false (the default)');
      loadConf({ env: {}, overrides: { enabled: true, traceSqlalchemy: true } });
      assert.equal(traced(), true);
      assert.equal(
        runWithProfiler(p, () => tracingProfiler(resolveOptions({ enabled: () => true }))),
        p,
        'an explicit enabled option wins',
      );
    } finally {
      resetConf();
    }
  });

  it('opens on a fork of the caller (whose stack is untouched) and stops once', () => {
    const p = profiler();
    const span = new DbSpan(p, resolveOptions(undefined), 'SELECT 1', undefined);
    assert.equal(p.getId(), 'root', "the caller's profiler is not changed");
    assert.equal(span.profiler?.getParentId(), 'root');
    span.succeed('ignored: results hidden');
    span.fail(new Error('late'));
    assert.deepEqual(
      sent.map((n) => n.name),
      ['db-start', 'db-stop'],
    );
    assert.deepEqual(sent[0]!.info.db, { statement: 'SELECT 1', params: [] });
    assert.deepEqual(Object.keys(sent[1]!.info), ['host']);
    assert.equal(span.open, false);
  });

  it('shows the result through the driver view when results are not hidden', () => {
    const options = resolveOptions({ hideResult: false }, (r) => (r as { rows: unknown }).rows);
    new DbSpan(profiler(), options, 'SELECT 1', []).finish(undefined, { rows: [1] });
    assert.deepEqual(sent[1]!.info.db, { result: '[ 1 ]' });
  });

  it('settleWith stops on return, on throw and when a promise or thenable settles, passing errors unchanged', async () => {
    const o = resolveOptions(undefined);
    assert.equal(
      settleWith(new DbSpan(profiler(), o, 'a', []), () => 1),
      1,
    );
    const boom = new Error('boom');
    assert.throws(
      () =>
        settleWith(new DbSpan(profiler(), o, 'b', []), () => {
          throw boom;
        }),
      (e: unknown) => e === boom,
    );
    await assert.rejects(
      settleWith(new DbSpan(profiler(), o, 'c', []), () => Promise.reject(boom)),
      (e: unknown) => e === boom,
    );
    const thenable = { then: (ok: (v: number) => void) => ok(5) };
    assert.equal(await settleWith(new DbSpan(profiler(), o, 'd', []), () => thenable), 5);
    assert.deepEqual(
      sent.map((n) => [n.name, n.info.etype]),
      [
        ['db-start', undefined],
        ['db-stop', undefined],
        ['db-start', undefined],
        ['db-stop', 'Error'],
        ['db-start', undefined],
        ['db-stop', 'Error'],
        ['db-start', undefined],
        ['db-stop', undefined],
      ],
    );
  });

  it('settleWith runs the driver call with the span as the current point', () => {
    const span = new DbSpan(profiler(), resolveOptions(undefined), 'a', []);
    const inside = settleWith(span, () => currentProfiler()?.getId());
    assert.equal(inside, sent[0]!.trace_id);
  });

  it('a stopping callback stops first, then runs the callback in the caller context', () => {
    const caller = profiler();
    const span = new DbSpan(caller, resolveOptions(undefined), 'a', []);
    let seen: unknown;
    const cb = stoppingCallback(span, caller, function (this: unknown, err: unknown, rows: unknown) {
      seen = [err, rows, sent.length, currentProfiler()];
    });
    cb(null, ['row']);
    assert.deepEqual(seen, [null, ['row'], 2, caller]);
  });
});
