// The built `osprofiler` command, spawned as users run it: help, errors and exit codes, show formats, list.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { defaultConnectionString } from '../../src/drivers/sqlite/default-location.js';
import { createSqliteDriver } from '../../src/drivers/sqlite/driver.js';
import type { Notification } from '../../src/core/payload.js';
import { renderJson } from '../../src/report/json.js';
import type { Report } from '../../src/report/types.js';
import { ensureBuilt, root } from '../helpers/built-bin.js';
import { runBin, type BinResult } from '../helpers/bin-process.js';
import { fixturesDir, loadFixture } from '../helpers/fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'osp-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface CliCase {
  why: string;
  argv: string[];
  exit_code: number;
  stdout: string;
}
const cli = loadFixture<{ cases: CliCase[] }>('cli.json');
const pythonCase = (why: string): CliCase => cli.cases.find((c) => c.why.startsWith(why))!;
const sql = loadFixture<{
  notifications_sent_in_order: Notification[];
  driver_args: { project: string; service: string; host: string };
  'get_report_3.4.3': Report;
}>('storage/sql.json');
const nested = loadFixture<{ base_id: string; notifications: Notification[]; report: Report; dot: string }>(
  'reports/02_nested_services.json',
);
const single = loadFixture<{ notifications: Notification[]; report: Report }>('reports/01_single_span.json');

const TRACE_1 = 'c0ffee00-0000-4000-8000-000000000001';
const TRACE_ERR = 'c0ffee00-0000-4000-8000-000000000002';
const UNKNOWN = '00000000-1111-4222-8333-444444444444';
const NOT_FOUND = `Trace with UUID ${UNKNOWN} not found. Please check the HMAC key used in the command.\n`;

before(ensureBuilt);

/** Runs the CLI with a clean environment (no inherited OSPROFILER_* or colour settings). */
function run(args: string[], env: Record<string, string> = {}, cwd = work): Promise<BinResult> {
  return runBin(args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: join(work, 'user-home'), LANG: 'C.UTF-8', ...env },
  });
}

describe('osprofiler CLI: help, version, usage errors', () => {
  for (const argv of [['--help'], ['-h'], ['trace', '--help'], ['trace', 'show', '--help'], ['trace', 'list', '-h']]) {
    it(`"osprofiler ${argv.join(' ')}" prints the help of that level and exits 0`, async () => {
      const r = await run(argv);
      assert.equal(r.code, 0);
      assert.match(
        r.stdout,
        new RegExp(
          `^usage: osprofiler${argv[0] === 'trace' ? ' trace' : ''}${argv[1] && !argv[1].startsWith('-') ? ` ${argv[1]}` : ''} `,
        ),
      );
      assert.equal(r.stderr, '');
    });
  }

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const r = await run(['--version']);
    assert.deepEqual([r.code, r.stdout], [0, `${pkg.version}\n`]);
  });

  it('no command, or "trace" alone, exits 1 with the usage on stderr (Python: exit 1)', async () => {
    for (const argv of [[], ['trace']]) {
      const r = await run(argv);
      assert.equal(r.code, pythonCase(argv.length ? 'group without' : 'no arguments').exit_code);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /usage: osprofiler/);
    }
  });

  it('unknown options, extra formats and bad numbers are usage errors (exit 2)', async () => {
    for (const argv of [
      ['trace', 'show', UNKNOWN, '--nope'],
      ['trace', 'show', UNKNOWN, '--json', '--dot'],
      ['trace', 'show', UNKNOWN, '--idle-timeout', 'soon'],
      ['trace', 'list', '--limit', '-1'],
      ['trace', 'list', '--limit', '99999999999999999999'],
      ['trace', 'list', '--limit', '1e3'],
      ['frobnicate'],
    ]) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, /osprofiler: error: /);
    }
  });
});

describe('osprofiler CLI: an empty or missing store', () => {
  const home = join(work, 'empty-home');

  it('trace list prints the header-only table Python prints and names the default store', async () => {
    const r = await run(['trace', 'list'], { OSPROFILER_HOME: home });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, pythonCase('trace list on an empty store').stdout);
    assert.ok(r.stderr.includes(join(home, 'traces.db')), r.stderr);
    assert.equal(existsSync(join(home, 'traces.db')), false, 'reading must not create the store');
  });

  it("trace show of an unknown id prints Python's sentence, then says the store file does not exist", async () => {
    const r = await run(['trace', 'show', UNKNOWN, '--json'], { OSPROFILER_HOME: home });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, NOT_FOUND);
    assert.match(r.stderr, /does not exist/);
    assert.ok(r.stderr.includes(join(home, 'traces.db')));
  });

  it('an explicitly empty --connection-string gives the Python message on stdout, exit 1', async () => {
    const expected = pythonCase('trace show without any connection string');
    for (const argv of [
      ['trace', 'show', UNKNOWN, '--connection-string', ''],
      ['trace', 'list', '--connection-string='],
    ]) {
      const r = await run(argv, { OSPROFILER_HOME: home });
      assert.deepEqual([r.code, r.stdout], [expected.exit_code, expected.stdout]);
    }
  });

  it('an unknown scheme fails with exit 1 and the list of known schemes', async () => {
    const r = await run(['trace', 'show', UNKNOWN, '--json', '--connection-string', 'foo://bar']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Known schemes: .*sqlite/);
  });

  it('a store that cannot be read fails with exit 1 and says which store', async () => {
    const garbage = join(work, 'not-a-database.db');
    writeFileSync(garbage, 'this is not SQLite '.repeat(100));
    const r = await run(['trace', 'list', '--connection-string', `sqlite:///${garbage}`]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`No trace store here: ${garbage} cannot be read as a SQLite database`), r.stderr);
  });

  it('a trace argument that is neither a uuid nor a file fails with exit 1', async () => {
    const r = await run(['trace', 'show', 'no-such-file.json', '--json']);
    assert.equal(r.code, pythonCase('an argument that is not uuid-like').exit_code);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no-such-file\.json: no such file/);
  });
});

describe('osprofiler CLI: a store with traces', () => {
  const home = join(work, 'home');
  const env = { OSPROFILER_HOME: home, NO_COLOR: '1' };

  before(async () => {
    mkdirSync(home, { recursive: true });
    const a = createSqliteDriver(defaultConnectionString({ OSPROFILER_HOME: home }), sql.driver_args);
    await a.notifyBatch(sql.notifications_sent_in_order);
    await a.close();
    const b = createSqliteDriver(defaultConnectionString({ OSPROFILER_HOME: home }), {
      project: 'nova',
      service: 'api',
      host: 'ctl-01',
    });
    // the records carry project/service, which the row takes over the driver's (as Python's dict.pop)
    await b.notifyBatch(nested.notifications);
    await b.close();
  });

  it("--json prints Python's report of the SQL rows, byte for byte", async () => {
    const r = await run(['trace', 'show', TRACE_1, '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${renderJson(sql['get_report_3.4.3'])}\n`);
  });

  it('reads the store named by OSPROFILER_CONNECTION_STRING, and accepts the id in any uuid form', async () => {
    const r = await run(['trace', 'show', TRACE_1.toUpperCase().replace(/-/g, ''), '--json'], {
      OSPROFILER_HOME: join(work, 'elsewhere'),
      OSPROFILER_CONNECTION_STRING: defaultConnectionString({ OSPROFILER_HOME: home }),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${renderJson(sql['get_report_3.4.3'])}\n`);
  });

  it('a unique id prefix of 8+ hex digits shows that trace; an ambiguous one lists the candidates', async () => {
    const unique = await run(['trace', 'show', nested.base_id.slice(0, 8), '--json'], env);
    assert.equal(unique.code, 0, unique.stderr);
    const whole = await run(['trace', 'show', nested.base_id, '--json'], env);
    assert.equal(unique.stdout, whole.stdout);
    assert.match(unique.stdout, /"children"/);
    const ambiguous = await run(['trace', 'show', TRACE_1.slice(0, 8), '--json'], env);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /is ambiguous: 2 stored traces start with it/);
    for (const id of [TRACE_1, TRACE_ERR]) assert.ok(ambiguous.stderr.includes(id), id);
  });

  it('an unknown id: the Python sentence on stdout; store, trace count and recent traces on stderr', async () => {
    const r = await run(['trace', 'show', UNKNOWN], env);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, NOT_FOUND);
    assert.ok(r.stderr.includes(join(home, 'traces.db')));
    assert.match(r.stderr, /reachable and holds 3 traces/);
    for (const id of [TRACE_1, TRACE_ERR, nested.base_id]) assert.ok(r.stderr.includes(id), id);
  });

  it('trace list prints one table line per trace, oldest first, with duration, points, services and error', async () => {
    const r = await run(['trace', 'list'], env);
    assert.equal(r.code, 0);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[1], /^\| base_id +\| timestamp +\| duration \| points \| services +\| error +\|$/);
    assert.equal(lines.length, 4 + 3);
    const ids = lines.slice(3, 6).map((l) => l.split('|')[1].trim());
    assert.deepEqual(ids.slice().sort(), [TRACE_1, TRACE_ERR, nested.base_id].sort());
    assert.equal(ids[2], TRACE_ERR);
    assert.match(lines[5], /\| 2 ms +\| 1 +\| nova-api +\| InstanceNotFound \|$/);
    assert.match(r.stderr, /Store read: SQLite file .* — 3 traces/);
  });

  it('--error-trace lists only failed traces; like Python, any value but "" means yes', async () => {
    for (const extra of [[], ['False'], ['1']]) {
      const r = await run(['trace', 'list', '--error-trace', ...extra], env);
      assert.equal(r.code, 0);
      assert.equal(r.stdout.trimEnd().split('\n').length, 5, extra.join());
      assert.ok(r.stdout.includes(TRACE_ERR));
    }
    const all = await run(['trace', 'list', '--error-trace', ''], env);
    assert.equal(all.stdout.trimEnd().split('\n').length, 7);
  });

  it('trace compare A B exits 0 and lists the span types, services and operations of both', async () => {
    const r = await run(['trace', 'compare', nested.base_id, TRACE_1], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^By span type$/m);
    assert.match(r.stdout, /^ {2}wsgi /m);
    assert.match(r.stdout, /^ {2}db /m);
    assert.match(r.stdout, /^By operation$/m);
    const help = await run(['trace', 'compare', '--help']);
    assert.match(help.stdout, /^usage: osprofiler trace compare /);
  });

  it('with no format, prints a tree with durations; NO_COLOR and --no-color turn colours off', async () => {
    const plain = await run(['trace', 'show', nested.base_id], env);
    assert.equal(plain.code, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout, /\x1b\[/);
    assert.match(plain.stdout, /915 ms/);
    assert.match(plain.stdout, /└─ nova\.compute\.rpcapi\.\S+ {2}rpc nova-api/);
    assert.match(plain.stdout, /started 2024-05-14 09:30:12\.345 UTC/);
    const critical = await run(['trace', 'show', nested.base_id, '--critical-path'], env);
    assert.match(critical.stdout, /◆ critical path: 6 points/);
    const colored = await run(['trace', 'show', nested.base_id, '--color'], env);
    assert.match(colored.stdout, /\x1b\[/);
    const off = await run(['trace', 'show', nested.base_id, '--no-color'], { OSPROFILER_HOME: home, FORCE_COLOR: '1' });
    assert.doesNotMatch(off.stdout, /\x1b\[/);
    const err = await run(['trace', 'show', TRACE_ERR], env);
    assert.match(err.stdout, /✗ InstanceNotFound: Instance 42 could not be found\./);
  });

  it('--trace-event writes Chrome trace-event JSON, one complete event per point', async () => {
    const r = await run(['trace', 'show', nested.base_id, '--trace-event'], env);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { traceEvents: { ph: string; name: string; dur?: number }[] };
    const spans = doc.traceEvents.filter((e) => e.ph === 'X');
    assert.equal(spans.length, 6);
    assert.ok(spans.some((e) => e.name.startsWith('wsgi') && e.dur === 915_000));
  });

  it('--html writes a page with the report', async () => {
    const r = await run(['trace', 'show', TRACE_1, '--html', '--title', 'My trace'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /<html/i);
    assert.ok(r.stdout.includes('My trace'));
  });

  it("--out saves the output (without print()'s newline), prints nothing on stdout and its path on stderr", async () => {
    const out = join(work, 'report.json');
    const r = await run(['trace', 'show', TRACE_1, '--json', '--out', out], env);
    assert.deepEqual([r.code, r.stdout], [0, '']);
    assert.equal(r.stderr, `osprofiler: wrote the JSON report to ${out}\n`);
    assert.equal(readFileSync(out, 'utf8'), renderJson(sql['get_report_3.4.3']));
  });

  it('--render-dot renders through Graphviz dot, or says clearly that dot is missing', async () => {
    const target = join(work, 'graph.svg');
    const hasDot = spawnSync('dot', ['-V']).error === undefined;
    const r = await run(['trace', 'show', TRACE_1, '--dot', '--render-dot', target], env);
    if (hasDot) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(readFileSync(target, 'utf8'), /<svg/);
      assert.ok(r.stdout.startsWith('digraph {'));
    } else {
      assert.equal(r.code, 1);
    }
    const emptyBin = join(work, 'empty-bin');
    mkdirSync(emptyBin, { recursive: true });
    const missing = await run(['trace', 'show', TRACE_1, '--render-dot', join(work, 'g')], { ...env, PATH: emptyBin });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Graphviz/);
  });
});

describe('osprofiler CLI: trace files', () => {
  it("a report file printed with --json is Python's stdout, byte for byte", async () => {
    const file = join(work, 'nested-report.json');
    writeFileSync(file, JSON.stringify(nested.report));
    const r = await run(['trace', 'show', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(fixturesDir, 'reports', '02_nested_services.stdout.json'), 'utf8'));
  });

  it("--dot prints Python's DOT source plus print()'s newline", async () => {
    const file = join(work, 'nested-report-dot.json');
    writeFileSync(file, JSON.stringify(nested.report));
    const r = await run(['trace', 'show', 'nested-report-dot.json', '--dot']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${nested.dot}\n`);
  });

  it('a file of stored notifications is turned into its report', async () => {
    const file = join(work, 'notifications.json');
    writeFileSync(file, JSON.stringify(single.notifications));
    const r = await run(['trace', 'show', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${renderJson(single.report)}\n`);
  });

  it('a file whose report has no points gives the not-found sentence with the file name', async () => {
    const file = join(work, 'empty-report.json');
    writeFileSync(file, JSON.stringify({ info: { name: 'total' }, children: [], stats: {} }));
    const r = await run(['trace', 'show', file, '--json']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, `Trace with UUID ${file} not found. Please check the HMAC key used in the command.\n`);
  });
});
