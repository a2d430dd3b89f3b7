import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runWithProfiler } from '../../../src/core/current.js';
import { Profiler } from '../../../src/core/profiler.js';
import { currentProfiler, runOutsideTrace } from '../../../src/core/context.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

function runChild(code: string): string {
  const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout.trim();
}

describe('context', () => {
  it('a program that never traces never creates AsyncLocalStorage', () => {
    const out = runChild(`
      import { trace, get, start, stop, getTraceIdHeaders } from './src/index.ts';
      import { contextStarted } from './src/core/context.ts';
      const f = trace('x')(async (n) => n + 1);
      await f(1); start('y'); stop(); get(); getTraceIdHeaders();
      console.log(contextStarted());
    `);
    assert.equal(out, 'false');
  });

  it('two loaded copies of the package share the active profiler', async () => {
    const copy = (await import(
      `../../../src/core/context.js?copy=${Date.now()}`
    )) as typeof import('../../../src/core/context.js');
    assert.notEqual(copy.currentProfiler, currentProfiler, 'really a second module instance');
    const p = new Profiler('k', 'shared-base');
    runWithProfiler(p, () => {
      assert.equal(copy.currentProfiler(), p);
    });
  });

  it('runOutsideTrace hides the profiler from the callback and what it schedules', async () => {
    await runWithProfiler(new Profiler('k'), async () => {
      const seen = await runOutsideTrace(async () => {
        await new Promise((r) => setTimeout(r, 1));
        return currentProfiler();
      });
      assert.equal(seen, undefined);
      assert.ok(currentProfiler(), 'restored afterwards');
    });
  });
});
