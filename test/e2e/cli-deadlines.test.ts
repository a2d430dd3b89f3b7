// The built CLI against stores that accept connections and never answer: `trace list`, `trace show` and `ui` give up in seconds, in one line.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { bin, ensureBuilt } from '../helpers/built-bin.js';
import { freePort } from '../helpers/services.js';
import { settleWithin, silentServer, type SilentServer } from '../helpers/silent-server.js';

const work = mkdtempSync(join(tmpdir(), 'osp-cli-deadline-'));
// why: the CLI's connect deadline is 5 s; a command still running at 4x that never settles.
const GUARD_MS = 4 * 5000;

let silent: SilentServer;
before(async () => {
  ensureBuilt();
  silent = await silentServer();
});
after(async () => {
  await silent.close();
  rmSync(work, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; kills it if it has not ended by the guard (then `settled` is false). */
async function run(args: string[]): Promise<{ settled: boolean; value?: Outcome }> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: work,
    env: { PATH: process.env.PATH ?? '', HOME: work, LANG: 'C.UTF-8' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const ended = new Promise<Outcome>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  const outcome = await settleWithin(ended, GUARD_MS);
  if (!outcome.settled) child.kill('SIGKILL');
  return outcome;
}

const ID = 'c0ffee00-0000-4000-8000-00000000e001';

describe('the CLI against a store that never answers', () => {
  const cases: Array<[string, (port: number) => string[]]> = [
    ['trace list on Redis', (p) => ['trace', 'list', '--connection-string', `redis://127.0.0.1:${p}/0`]],
    ['trace list on Elasticsearch', (p) => ['trace', 'list', '--connection-string', `elasticsearch://127.0.0.1:${p}`]],
    [
      'trace show on PostgreSQL',
      (p) => ['trace', 'show', ID, '--connection-string', `postgresql://u@127.0.0.1:${p}/x`],
    ],
    ['trace show on MongoDB', (p) => ['trace', 'show', ID, '--connection-string', `mongodb://127.0.0.1:${p}/`]],
  ];
  for (const [name, argv] of cases) {
    it(`${name}: exits 1 with one line naming the store`, async () => {
      const outcome = await run(argv(silent.port));
      assert.ok(outcome.settled, `still running after ${GUARD_MS} ms`);
      const { code, stderr } = outcome.value!;
      assert.equal(code, 1, stderr);
      const lines = stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, stderr);
      // why: pg's own connect timeout (the same 5 s) and the CLI's deadline race; either names the store
      assert.match(
        lines[0]!,
        /^osprofiler: cannot connect to the store .*(did not answer within 5000 ms|timed out|connection timeout)/,
      );
      assert.doesNotMatch(stderr, /\(node:\d+\)|at .*\.js:\d+/);
    });
  }

  it('ui on Redis: exits 1 with one line instead of serving', async () => {
    const port = await freePort();
    const outcome = await run([
      'ui',
      '--port',
      String(port),
      '--connection-string',
      `redis://127.0.0.1:${silent.port}/0`,
    ]);
    assert.ok(outcome.settled, `still running after ${GUARD_MS} ms`);
    const { code, stdout, stderr } = outcome.value!;
    assert.equal(code, 1, stderr);
    assert.equal(stdout, '');
    assert.match(stderr, /^osprofiler: cannot connect to the store .*did not answer within 5000 ms[^\n]*\n$/);
  });
});
