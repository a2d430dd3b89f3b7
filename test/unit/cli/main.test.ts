// main() in-process: importing it runs nothing; it returns exit codes and writes through the given io.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import { memoryIo } from '../../helpers/cli-io.js';
import { wantColor } from '../../../src/cli/io.js';

const home = mkdtempSync(join(tmpdir(), 'osp-main-'));
after(() => rmSync(home, { recursive: true, force: true }));

function io(env: Record<string, string> = {}): CliIo & { out: string; err: string } {
  return memoryIo(home, env);
}

describe('cli main()', () => {
  it('returns exit codes instead of exiting, and writes only through its io', async () => {
    const help = io();
    assert.equal(await main(['--help'], help), 0);
    assert.match(help.out, /^usage: osprofiler/);
    const missing = io();
    assert.equal(await main(['trace', 'show', '00000000-1111-4222-8333-444444444444'], missing), 1);
    assert.equal(
      missing.out,
      'Trace with UUID 00000000-1111-4222-8333-444444444444 not found. Please check the HMAC key used in the command.\n',
    );
    assert.equal(await main(['trace', 'list', '--bogus'], io()), 2);
  });

  it('colours by flag first, then NO_COLOR, FORCE_COLOR and the terminal', () => {
    const tty = { ...io(), stdoutIsTTY: true };
    assert.equal(wantColor(tty, {}), true);
    assert.equal(wantColor({ ...tty, env: { NO_COLOR: '1' } }, {}), false);
    assert.equal(wantColor({ ...tty, env: { NO_COLOR: '1' } }, { color: true }), true);
    assert.equal(wantColor(io({ FORCE_COLOR: '1' }), {}), true);
    assert.equal(wantColor(io({ FORCE_COLOR: '1' }), { noColor: true }), false);
    assert.equal(wantColor(tty, { toFile: true }), false);
  });
});
