// Warnings raised while a CLI command runs reach its stderr as one plain line, not Node's "(node:PID) [OSP_WARN] …" form.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import { createSqliteDriver } from '../../../src/drivers/sqlite/driver.js';
import type { Notification } from '../../../src/core/payload.js';
import { loadSqlite } from '../../../src/drivers/sqlite/library.js';

const home = mkdtempSync(join(tmpdir(), 'osp-cli-warn-'));
after(() => rmSync(home, { recursive: true, force: true }));

const BASE = 'c0ffee00-0000-4000-8000-0000000000a1';
const POINT = 'c0ffee00-0000-4000-8000-0000000000a2';

function point(name: string, timestamp: string): Notification {
  return { name, base_id: BASE, trace_id: POINT, parent_id: BASE, timestamp, info: { host: 'h' } };
}

describe('CLI warnings', () => {
  it('a warning while reading a store is one plain line on stderr; no process warning is emitted', async () => {
    const path = join(home, 'corrupt.db');
    const writer = createSqliteDriver(`sqlite:///${path}`);
    await writer.notifyBatch([
      point('w-start', '2026-01-01T00:00:00.000000'),
      point('w-stop', '2026-01-01T00:00:00.500000'),
    ]);
    await writer.close();
    const db = new (loadSqlite())(path);
    db.prepare(
      "INSERT INTO data (base_id, timestamp, name, trace_id, parent_id, data) VALUES (?, '2026-01-01T00:00:01', 'x-start', 'x', 'y', '{broken')",
    ).run(BASE);
    db.close();

    const emitted: string[] = [];
    const onWarning = (warning: Error): void => void emitted.push(warning.message);
    process.on('warning', onWarning);
    const io: CliIo & { out: string; err: string } = {
      out: '',
      err: '',
      stdout: (t) => void (io.out += t),
      stderr: (t) => void (io.err += t),
      env: { OSPROFILER_HOME: home },
      cwd: home,
      stdoutIsTTY: false,
    };
    try {
      const code = await main(['trace', 'show', BASE, '--connection-string', `sqlite:///${path}`, '--json'], io);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(code, 0, io.err);
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(emitted, []);
    assert.match(io.err, /^osprofiler: 1 corrupt row\(s\) of trace c0ffee00-0000-4000-8000-0000000000a1 skipped$/m);
    assert.doesNotMatch(io.err, /\(node:\d+\)|OSP_WARN|OsprofilerWarning/);
    assert.match(io.out, /"name": "w"/);
  });
});
