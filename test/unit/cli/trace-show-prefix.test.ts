// `trace show` with an id prefix (>= 8 hex digits) and `--out`'s confirmation on stderr, run in-process.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import { memoryIo } from '../../helpers/cli-io.js';
import { registerDriver } from '../../../src/drivers/driver.js';
import { MemoryDriver, MemoryStore } from '../../../src/drivers/memory.js';
import type { Notification } from '../../../src/core/payload.js';
import { NotSupportedError } from '../../../src/errors.js';
import type { Report } from '../../../src/report/types.js';

const work = mkdtempSync(join(tmpdir(), 'osp-prefix-'));
after(() => rmSync(work, { recursive: true, force: true }));

// why: two ids that share 9 hex digits (ambiguous up to there), and one on its own.
const A = 'abcdef01-2345-4000-8000-000000000001';
const B = 'abcdef01-2999-4000-8000-000000000002';
const C = '12345678-9abc-4def-8000-000000000003';

const store = new MemoryStore();
let listCalls = 0;
class CountingDriver extends MemoryDriver {
  override async listTraces(fields?: readonly string[]) {
    listCalls++;
    return super.listTraces(fields);
  }
}
class ListlessDriver extends MemoryDriver {
  override async listTraces(): Promise<never> {
    throw new NotSupportedError('this store cannot list traces');
  }
}

function span(baseId: string, name: string, second: number): Notification[] {
  const point = { base_id: baseId, parent_id: baseId, trace_id: `${baseId.slice(0, -1)}9` };
  return [
    { ...point, name: `${name}-start`, timestamp: `2026-01-01T00:00:0${second}.000000`, info: { host: 'h' } },
    { ...point, name: `${name}-stop`, timestamp: `2026-01-01T00:00:0${second}.500000`, info: { host: 'h' } },
  ];
}

function io(): CliIo & { out: string; err: string } {
  return memoryIo(join(work, 'home'), {}, work);
}

async function show(...args: string[]) {
  const sink = io();
  const code = await main(['trace', 'show', ...args], sink);
  return { code, out: sink.out, err: sink.err };
}

before(() => {
  registerDriver('prefixtest', (_cs, options) => new CountingDriver(options, store));
  registerDriver('listless', (_cs, options) => new ListlessDriver(options, store));
  new MemoryDriver({ project: 'p', service: 's' }, store).notifyBatch([
    ...span(A, 'wsgi', 1),
    ...span(B, 'db', 2),
    ...span(C, 'rpc', 3),
  ]);
});

const CS = ['--connection-string', 'prefixtest://'];

describe('trace show <id prefix>', () => {
  it('a unique prefix of 8 hex digits shows that trace', async () => {
    const r = await show('12345678', '--json', ...CS);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as Report;
    assert.equal(report.children[0].info.name, 'rpc');
  });

  it('a prefix may keep the hyphens and use upper case', async () => {
    const r = await show('ABCDEF01-23', '--json', ...CS);
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as Report).children[0].info.name, 'wsgi');
  });

  it('an ambiguous prefix fails (exit 1), says so and lists the candidates', async () => {
    const r = await show('abcdef01', '--json', ...CS);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /abcdef01 is ambiguous: 2 stored traces start with it/);
    assert.ok(r.err.includes(A) && r.err.includes(B), r.err);
    assert.ok(!r.err.includes(C), 'only the candidates are listed');
  });

  it('a prefix that matches nothing gives the not-found sentence and says no id starts with it', async () => {
    const r = await show('fedcba98', '--json', ...CS);
    assert.equal(r.code, 1);
    assert.equal(r.out, 'Trace with UUID fedcba98 not found. Please check the HMAC key used in the command.\n');
    assert.match(r.err, /No stored trace id starts with fedcba98/);
  });

  it('fewer than 8 hex digits is not a prefix, and the message says why', async () => {
    const r = await show('1234567', '--json', ...CS);
    assert.equal(r.code, 1);
    assert.match(r.err, /1234567 is neither a file nor a trace id; an id prefix needs 8 or more hex digits/);
  });

  it('a file named like a prefix is read as that file', async () => {
    writeFileSync(join(work, 'abcdef01'), JSON.stringify(span(C, 'fromfile', 4)));
    try {
      const r = await show('abcdef01', '--json', ...CS);
      assert.equal(r.code, 0, r.err);
      assert.equal((JSON.parse(r.out) as Report).children[0].info.name, 'fromfile');
    } finally {
      rmSync(join(work, 'abcdef01'));
    }
  });

  it('a prefix on a default store that does not exist yet gives the not-found sentence', async () => {
    const r = await show('12345678', '--json');
    assert.equal(r.code, 1);
    assert.equal(r.out, 'Trace with UUID 12345678 not found. Please check the HMAC key used in the command.\n');
    assert.match(r.err, /does not exist yet/);
  });

  it('a full id is read directly, without listing the store', async () => {
    listCalls = 0;
    const r = await show(C, '--json', ...CS);
    assert.equal(r.code, 0, r.err);
    assert.equal(listCalls, 0);
    const listless = await show(C, '--json', '--connection-string', 'listless://');
    assert.equal(listless.code, 0, listless.err);
  });

  it('a store that cannot list traces says a prefix needs the whole id there', async () => {
    const r = await show('12345678', '--json', '--connection-string', 'listless://');
    assert.equal(r.code, 1);
    assert.match(r.err, /cannot list its traces.*give the whole trace id/s);
  });
});

describe('trace show --out', () => {
  for (const format of ['--html', '--json', '--dot', '--trace-event']) {
    it(`${format} --out FILE writes the file and prints its path on stderr`, async () => {
      const file = join(work, `out${format}`);
      const r = await show(C, format, '--out', `out${format}`, ...CS);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, '');
      assert.ok(existsSync(file));
      assert.ok(readFileSync(file, 'utf8').length > 0);
      assert.ok(r.err.includes(file), `stderr should name ${file}: ${r.err}`);
    });
  }

  it('without --out nothing is said on stderr', async () => {
    const r = await show(C, '--json', ...CS);
    assert.equal(r.err, '');
  });
});
