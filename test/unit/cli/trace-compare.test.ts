// `osprofiler trace compare A B` in-process: SQLite stores, a store per side, JSON files from trace show, formats, errors.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import { memoryIo } from '../../helpers/cli-io.js';
import { storeServersTrace } from '../../helpers/servers-trace.js';

const home = mkdtempSync(join(tmpdir(), 'osp-compare-'));
after(() => rmSync(home, { recursive: true, force: true }));
const storeA = `sqlite:///${join(home, 'a.db')}`;
const storeB = `sqlite:///${join(home, 'b.db')}`;
const A = 'c0ffee00-0000-4000-8000-00000000ca01';
const B = 'c0ffee00-0000-4000-8000-00000000cb01';

function io(env: Record<string, string> = {}): CliIo & { out: string; err: string } {
  return memoryIo(home, env);
}

before(async () => {
  await storeServersTrace(storeA, A, 30);
  await storeServersTrace(storeA, B, 130);
  await storeServersTrace(storeB, B, 130);
});

describe('osprofiler trace compare', () => {
  it('compares two traces of one SQLite store: exit 0, tables listing the wsgi and db span types', async () => {
    const out = io();
    assert.equal(await main(['trace', 'compare', A, B, '--connection-string', storeA], out), 0, out.err);
    assert.match(out.out, /^By span type$/m);
    assert.match(out.out, /^ {2}db +2 +2 +70 ms +170 ms/m);
    assert.match(out.out, /^ {2}wsgi +1 +1 +120 ms +205 ms/m);
    assert.match(out.out, /^ {2}db: SELECT \* FROM instances WHERE project_id = \? …/m);
    assert.match(out.out, /^ {2}rpc: compute\.Manager\.list/m);
    assert.match(out.out, /^ {2}nova-api /m);
  });

  it('reads each side from its own store, or from a file written by trace show --json', async () => {
    const out = io();
    assert.equal(
      await main(
        ['trace', 'compare', A, B, '--connection-string-a', storeA, '--connection-string-b', storeB, '--json'],
        out,
      ),
      0,
      out.err,
    );
    const parsed = JSON.parse(out.out) as { byType: { key: string; deltaMs: number }[]; a: { trace: string } };
    assert.equal(parsed.a.trace, A);
    assert.deepEqual(parsed.byType[0], { ...parsed.byType[0], key: 'db', deltaMs: 100 });

    assert.equal(await main(['trace', 'show', B, '--connection-string', storeB, '--json', '--out', 'b.json'], io()), 0);
    const fromFile = io();
    assert.equal(await main(['trace', 'compare', A, 'b.json', '--connection-string', storeA, '--json'], fromFile), 0);
    assert.deepEqual(JSON.parse(fromFile.out).byType, parsed.byType);
  });

  it('writes a self-contained comparison page with --html --out', async () => {
    assert.equal(
      await main(['trace', 'compare', A, B, '--connection-string', storeA, '--html', '--out', 'cmp.html'], io()),
      0,
    );
    const html = readFileSync(join(home, 'cmp.html'), 'utf8');
    assert.match(html, /Waterfalls on one time scale/);
    assert.match(html, /compute\.Manager\.list/);
    assert.doesNotMatch(html, /<script/i);
  });

  it('fails with one clear line for a missing trace, and with usage for a missing argument', async () => {
    const missing = io();
    assert.equal(
      await main(
        ['trace', 'compare', A, '00000000-1111-4222-8333-444444444444', '--connection-string', storeA],
        missing,
      ),
      1,
    );
    assert.match(missing.out, /Trace with UUID 00000000-1111-4222-8333-444444444444 not found/);
    const usage = io();
    assert.equal(await main(['trace', 'compare', A], usage), 2);
    assert.match(usage.err, /required: B/);
  });
});
