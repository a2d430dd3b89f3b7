// `osprofiler demo`, the README's main job: three traced services in child processes, one signed
// request, the trace printed, stored in the default SQLite store and written as HTML.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bin, ensureBuilt } from '../helpers/built-bin.js';

const work = mkdtempSync(join(tmpdir(), 'osp-demo-'));
after(() => rmSync(work, { recursive: true, force: true }));

before(ensureBuilt);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function osprofiler(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, OSPROFILER_CONNECTION_STRING: '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('osprofiler demo', () => {
  const env = { OSPROFILER_HOME: join(work, 'home') };
  const html = join(work, 'demo.html');
  let demo: Run;
  let traceId: string;
  before(async () => {
    demo = await osprofiler(['demo', '--out', html], env);
    traceId = /osprofiler trace show ([0-9a-f-]{36})/.exec(demo.stdout)?.[1] ?? '';
  });

  it('prints the trace of one request through api → compute → scheduler and how to see it again', () => {
    assert.equal(demo.code, 0, demo.stderr);
    assert.match(
      demo.stdout,
      new RegExp(`^Trace ${traceId} — \\d+ ms · 14 points · demo-api, demo-compute, demo-scheduler$`, 'm'),
    );
    for (const line of [
      /GET \/servers {2}wsgi demo-api@\S+/,
      /SELECT .* {2}db demo-compute/,
      /\S*pickHost\S* {2}rpc demo-scheduler/,
    ]) {
      assert.match(demo.stdout, line);
    }
    assert.match(demo.stdout, /Browse every stored trace: osprofiler ui/);
  });

  it('stores the trace in the default SQLite store, where trace show and list find it', async () => {
    const shown = await osprofiler(['trace', 'show', traceId, '--json'], env);
    assert.equal(shown.code, 0, shown.stderr);
    const report = JSON.parse(shown.stdout) as { children: { info: { name: string; service: string } }[] };
    assert.equal(report.children.length, 1);
    assert.deepEqual([report.children[0]!.info.name, report.children[0]!.info.service], ['wsgi', 'api']);
    const services = new Set(shown.stdout.match(/"service": "(\w+)"/g));
    assert.deepEqual([...services].sort(), ['"service": "api"', '"service": "compute"', '"service": "scheduler"']);
    const list = await osprofiler(['trace', 'list'], env);
    assert.match(list.stdout, new RegExp(traceId));
  });

  it('writes a self-contained HTML report of the trace', () => {
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/);
    assert.ok(page.includes(traceId), 'the page names the trace');
    assert.doesNotMatch(page, /<script[^>]+src=|<link[^>]+href=/, 'nothing is loaded from elsewhere');
  });
});
