// The README's service and startTrace script, pasted into new ESM and CommonJS projects: one stored trace joins them.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Report, ReportNode } from '../../src/report/types.js';
import { bin, ensureBuilt, root } from '../helpers/built-bin.js';
import { extractSnippets, type Snippet } from '../helpers/doc-snippets.js';
import { freePort, tcpProbe } from '../helpers/services.js';
import {
  SNIPPET_TSCONFIG,
  createSnippetProject,
  runInProject,
  type RunResult,
  type SnippetProject,
} from '../helpers/snippet-project.js';

const readme = extractSnippets(readFileSync(join(root, 'README.md'), 'utf8'), 'README.md');

function readmeBlock(lang: string, marker: string): Snippet {
  const found = readme.filter((s) => s.lang === lang && s.code.includes(marker));
  assert.equal(found.length, 1, `README.md should hold one \`\`\`${lang} block with ${marker}`);
  return found[0];
}

const service = readmeBlock('js', 'wrapListener(');
const esmScript = readmeBlock('js', 'startTrace(');
const cjsScript = readmeBlock('cjs', "require('osprofiler/web')");

/** The block with its one `8080` replaced by `port` (tests run side by side; 8080 may be taken). */
function onPort(snippet: Snippet, port: number): string {
  assert.equal(snippet.code.split('8080').length, 2, `${snippet.file}:${snippet.line} should name port 8080 once`);
  return snippet.code.replace('8080', String(port));
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

function flatten(nodes: readonly ReportNode[], out: ReportNode[] = []): ReportNode[] {
  for (const node of nodes) {
    out.push(node);
    flatten(node.children, out);
  }
  return out;
}

function runBin(project: SnippetProject, args: string[]): RunResult {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: project.dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: project.dir, OSPROFILER_HOME: project.home, LANG: 'C.UTF-8' },
  });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr, timedOut: false };
}

/** Starts the README's service in the project and waits until it accepts connections. */
async function startService(project: SnippetProject, port: number): Promise<ChildProcess> {
  writeFileSync(join(project.dir, 'service.mjs'), onPort(service, port));
  const child = spawn(process.execPath, ['service.mjs'], {
    cwd: project.dir,
    env: { PATH: process.env.PATH ?? '', HOME: project.dir, OSPROFILER_HOME: project.home, LANG: 'C.UTF-8' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) assert.fail(`the README's service exited (${child.exitCode}):\n${output}`);
    try {
      await tcpProbe('127.0.0.1', port)();
      return child;
    } catch {
      await sleep(50);
    }
  }
  child.kill();
  assert.fail(`the README's service did not listen on ${port} within 10 s:\n${output}`);
}

/**
 * Runs the script, then reads the trace it printed from the default store (the service's SQLite
 * file under OSPROFILER_HOME) with the CLI, as the README's reader would.
 */
async function traceFromScript(project: SnippetProject, file: string): Promise<{ traceId: string; report: Report }> {
  const run = await runInProject(project, [file], { timeoutMs: 30_000 });
  assert.equal(run.code, 0, `the README's script failed:\n${run.stderr}${run.stdout}`);
  const traceId = UUID.exec(run.stderr)?.[0];
  assert.ok(traceId !== undefined, `the script printed no trace id on stderr:\n${run.stderr}`);
  let shown: RunResult | undefined;
  // why: the script and the service each store their spans asynchronously, each on its own flush
  // schedule: the trace can be readable with only the script's side in it. Give both a few seconds.
  const deadline = Date.now() + 10_000;
  do {
    shown = runBin(project, ['trace', 'show', traceId, '--json']);
    if (shown.code === 0 && shown.stdout.includes('"wsgi"')) break;
    await sleep(200);
  } while (Date.now() < deadline);
  assert.equal(
    shown?.code,
    0,
    `trace ${traceId} was not stored in the default store:\n${shown?.stdout}${shown?.stderr}\nscript stderr:\n${run.stderr}`,
  );
  // The command the script printed (`[npx] osprofiler trace show <id> …`), run as the reader would.
  const printed = /(?:npx )?osprofiler (trace show \S+.*)$/m.exec(run.stderr)?.[1];
  assert.ok(printed !== undefined, `the script printed no trace show command:\n${run.stderr}`);
  const again = runBin(project, printed.trim().split(/\s+/));
  assert.equal(again.code, 0, `"${printed}" failed:\n${again.stdout}${again.stderr}`);
  return { traceId, report: JSON.parse(shown!.stdout) as Report };
}

/** The service's wsgi span must hang under the script's side of the trace. */
function assertWsgiUnderScript(traceId: string, report: Report): void {
  const nodes = flatten(report.children);
  const wsgi = nodes.filter((n) => n.info.name === 'wsgi');
  assert.equal(wsgi.length, 1, `one wsgi span expected, got: ${nodes.map((n) => n.info.name).join(', ')}`);
  const parent = wsgi[0].parent_id;
  const scriptSpan = nodes.find((n) => n.trace_id === parent);
  assert.ok(
    scriptSpan !== undefined && scriptSpan.info.service !== wsgi[0].info.service,
    `the wsgi span's parent ${parent} is not a stored span of the script (trace ${traceId})`,
  );
  assert.ok(
    nodes.some((n) => n.info.name === 'db' && n.parent_id === wsgi[0].trace_id),
    'loadCart (trace("db")) should be a child of the wsgi span',
  );
}

before(ensureBuilt);

describe("the README's quickstart, pasted into a new ES module project", () => {
  let project: SnippetProject;
  let child: ChildProcess | undefined;
  before(() => {
    project = createSnippetProject('osp-readme-esm-', 'module');
  });
  after(() => {
    child?.kill();
    project.remove();
  });

  it('the service and the startTrace script compile as TypeScript under tsc --strict', () => {
    writeFileSync(join(project.dir, 'service.ts'), service.code);
    writeFileSync(join(project.dir, 'script.ts'), esmScript.code);
    writeFileSync(
      join(project.dir, 'tsconfig.json'),
      JSON.stringify({ ...SNIPPET_TSCONFIG, files: ['service.ts', 'script.ts'] }),
    );
    const tsc = spawnSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project.dir, '--pretty', 'false'],
      { encoding: 'utf8' },
    );
    assert.equal(tsc.status, 0, `tsc --strict failed:\n${tsc.stdout}${tsc.stderr}`);
  });

  it("stores a trace in which the service's wsgi span is a child of the script's", async () => {
    const port = await freePort();
    child = await startService(project, port);
    writeFileSync(join(project.dir, 'script.mjs'), onPort(esmScript, port));
    const { traceId, report } = await traceFromScript(project, 'script.mjs');
    assertWsgiUnderScript(traceId, report);
  });
});

describe("the README's require() form, in a new CommonJS project", () => {
  let project: SnippetProject;
  let child: ChildProcess | undefined;
  before(() => {
    project = createSnippetProject('osp-readme-cjs-', 'commonjs');
  });
  after(() => {
    child?.kill();
    project.remove();
  });

  it("stores a trace in which the service's wsgi span is a child of the script's", async () => {
    const port = await freePort();
    child = await startService(project, port);
    writeFileSync(join(project.dir, 'script.js'), onPort(cjsScript, port));
    const { traceId, report } = await traceFromScript(project, 'script.js');
    assertWsgiUnderScript(traceId, report);
  });
});
