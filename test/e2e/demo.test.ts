// `osprofiler demo`, the README's main job: an OpenStack-shaped deployment in child processes, five
// traced client commands, the traces stored, printed and written as HTML, and no process left behind.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { bin, ensureBuilt } from '../helpers/built-bin.js';
import { requireService, tcpProbe } from '../helpers/services.js';

const work = mkdtempSync(join(tmpdir(), 'osp-demo-'));
after(() => rmSync(work, { recursive: true, force: true }));

before(ensureBuilt);

const rabbit = await requireService('RabbitMQ on 127.0.0.1:5672', tcpProbe('127.0.0.1', 5672));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Started {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  done: Promise<Run>;
}

const env = { OSPROFILER_HOME: join(work, 'home') };

function start(args: string[]): Started {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: work,
    env: { ...process.env, OSPROFILER_CONNECTION_STRING: '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => (output.stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output.stderr += c.toString()));
  const done = new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ...output });
    });
  });
  return { child, output, done };
}

function osprofiler(args: string[]): Promise<Run> {
  return start(args).done;
}

async function waitForOutput(started: Started, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!pattern.test(started.output.stdout)) {
    if (started.child.exitCode !== null || Date.now() > deadline)
      assert.fail(`the demo never printed ${pattern}:\n${started.output.stdout}\n${started.output.stderr}`);
    await sleep(50);
  }
}

/** The PIDs of the services, from the demo's start-up table. */
function servicePids(stdout: string): number[] {
  return [...stdout.matchAll(/ pid (\d+) /g)].map((m) => Number(m[1]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The trace id printed for each command, by the command's line. */
function traceIds(stdout: string): Map<string, string> {
  const ids = new Map<string, string>();
  for (const m of stdout.matchAll(/^\$ openstack --os-profile \S+ (\w+ \w+)[^\n]*\nTrace ID: ([0-9a-f-]{36})/gm))
    ids.set(m[1]!, m[2]!);
  return ids;
}

interface Node {
  info: { name: string; project: string; service: string; [key: string]: unknown };
  trace_id: string;
  parent_id: string;
  children: Node[];
}

function flatten(nodes: Node[]): Node[] {
  const out: Node[] = [];
  const stack = [...nodes];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    stack.push(...node.children);
  }
  return out;
}

function functionName(node: Node): string {
  const start = node.info[`meta.raw_payload.${node.info.name}-start`] as { info?: { function?: { name?: string } } };
  return start?.info?.function?.name ?? '';
}

function under(node: Node, test: (n: Node) => boolean): Node | undefined {
  return flatten(node.children).find(test);
}

/** Checks one server-create trace read back with `trace show --json`. */
async function checkServerCreate(traceId: string): Promise<void> {
  const shown = await osprofiler(['trace', 'show', traceId, '--json']);
  assert.equal(shown.code, 0, shown.stderr);
  const report = JSON.parse(shown.stdout) as { children: Node[] };
  const nodes = flatten(report.children);

  const projects = new Set(nodes.map((n) => n.info.project));
  assert.ok(projects.size >= 5, `spans from at least five services, got ${[...projects].join(', ')}`);
  for (const project of ['keystone', 'glance', 'nova', 'neutron', 'cinder']) assert.ok(projects.has(project), project);
  const names = new Set(nodes.map((n) => n.info.name));
  for (const name of ['wsgi', 'rpc', 'db', 'http', 'driver']) assert.ok(names.has(name), `a ${name} span`);

  // no orphans: every parent is the base or a point of this trace, and every point has start and stop
  const ids = new Set([traceId, ...nodes.map((n) => n.trace_id)]);
  for (const node of nodes) {
    assert.ok(ids.has(node.parent_id), `parent of ${node.info.name} ${node.trace_id} is in the trace`);
    assert.ok(node.info[`meta.raw_payload.${node.info.name}-stop`], `${node.info.name} ${node.trace_id} stopped`);
  }

  // shape: one wsgi root in nova-api → rpc (conductor manager) → rpc (scheduler manager) → db
  assert.equal(report.children.length, 1, 'one root');
  const root = report.children[0]!;
  assert.deepEqual([root.info.name, root.info.project, root.info.service], ['wsgi', 'nova', 'compute-api']);
  const conductor = under(root, (n) => functionName(n) === 'ConductorManager.schedule_and_build_instances');
  assert.ok(conductor && conductor.info.name === 'rpc' && conductor.info.service === 'conductor', 'conductor rpc');
  const scheduler = under(conductor, (n) => functionName(n) === 'SchedulerManager.select_destinations');
  assert.ok(scheduler && scheduler.info.service === 'scheduler', 'scheduler rpc under the conductor');
  assert.ok(
    under(scheduler, (n) => n.info.name === 'db' && n.info.service === 'scheduler'),
    'db under the scheduler',
  );
  // work spawned after build_and_run_instance returned stays under it: network, volume, image
  const build = under(conductor, (n) => functionName(n) === 'ComputeManager.build_and_run_instance');
  assert.ok(build, 'compute manager rpc under the conductor');
  const agent = under(build, (n) => functionName(n) === 'OvsAgentRpcCallbacks.port_update');
  assert.ok(agent && agent.info.project === 'neutron', 'neutron agent (traceClass) under the spawned build');
  assert.ok(
    under(agent, (n) => n.info.name === 'db'),
    'agent db',
  );
  const volumeDb = under(
    build,
    (n) => n.info.project === 'cinder' && n.info.service === 'volume' && n.info.name === 'db',
  );
  assert.ok(volumeDb, 'cinder-volume db, joined through the RPC context serializer');
  assert.ok(
    under(build, (n) => n.info.project === 'glance' && n.info.name === 'wsgi'),
    'glance called by compute with the trace headers',
  );
  for (const api of nodes.filter((n) => n.info.name === 'wsgi' && n.info.project !== 'keystone')) {
    assert.ok(
      under(api, (n) => n.info.project === 'keystone' && n.info.name === 'wsgi'),
      `${api.info.project} validated its token with identity inside the trace`,
    );
  }
}

describe('osprofiler demo', () => {
  const outDir = join(work, 'reports');
  let demo: Run;

  before(async () => {
    demo = await osprofiler(['demo', '--out-dir', outDir]);
  });

  it('runs five traced client commands against ten service processes and exits 0', () => {
    assert.equal(demo.code, 0, `${demo.stdout}\n${demo.stderr}`);
    assert.equal(servicePids(demo.stdout).length, 10);
    const ids = traceIds(demo.stdout);
    assert.deepEqual(
      [...ids.keys()],
      ['user list', 'image list', 'server list', 'volume list', 'server create'],
      demo.stdout,
    );
    for (const id of ids.values()) {
      assert.match(demo.stdout, new RegExp(`^Trace ${id} — \\d+ ms · \\d+ points · `, 'm'), 'the terminal tree');
      assert.match(demo.stdout, new RegExp(`npx osprofiler trace show ${id} --html --out \\S+\\.html`));
    }
  });

  it('leaves no service process running', () => {
    const pids = servicePids(demo.stdout);
    assert.ok(pids.length > 0);
    assert.deepEqual(pids.filter(alive), []);
  });

  it('stores a server-create trace that crosses every service: wsgi → rpc → db, no orphans', async () => {
    await checkServerCreate(traceIds(demo.stdout).get('server create')!);
  });

  it('writes a self-contained HTML report per command and prints their paths', () => {
    for (const slug of ['user-list', 'image-list', 'server-list', 'volume-list', 'server-create']) {
      const file = join(outDir, `${slug}.html`);
      assert.ok(demo.stdout.includes(file), `${file} printed`);
      const page = readFileSync(file, 'utf8');
      assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/);
      assert.doesNotMatch(page, /<script[^>]+src=|<link[^>]+href=/, 'nothing is loaded from elsewhere');
    }
    assert.ok(
      readFileSync(join(outDir, 'server-create.html'), 'utf8').includes(traceIds(demo.stdout).get('server create')!),
    );
  });

  it('runs again over RabbitMQ (instrumentAmqp) while the first run’s store is still there', rabbit, async () => {
    const again = await osprofiler([
      'demo',
      '--out-dir',
      join(work, 'amqp'),
      '--transport-url',
      'amqp://guest:guest@127.0.0.1:5672',
    ]);
    assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
    assert.match(again.stdout, /RPC: RabbitMQ/);
    assert.deepEqual(servicePids(again.stdout).filter(alive), []);
    const id = traceIds(again.stdout).get('server create')!;
    assert.notEqual(id, traceIds(demo.stdout).get('server create'));
    await checkServerCreate(id);
    const list = await osprofiler(['trace', 'list']);
    for (const old of traceIds(demo.stdout).values()) assert.match(list.stdout, new RegExp(old), 'first run kept');
  });

  it('stops every service when the demo gets SIGTERM while it runs', async () => {
    const started = start(['demo', '--out-dir', join(work, 'sigterm')]);
    // the whole table: heading and ten service lines
    await waitForOutput(started, /^Started 10 services[^\n]*\n(?: {2}[^\n]* pid \d+ [^\n]*\n){10}/m);
    const pids = servicePids(started.output.stdout);
    const dataDir = /databases in (\S+)\)/.exec(started.output.stdout)?.[1];
    started.child.kill('SIGTERM');
    const run = await started.done;
    assert.equal(run.code, 143, run.stderr);
    assert.equal(pids.length, 10);
    assert.deepEqual(pids.filter(alive), []);
    assert.ok(dataDir !== undefined && !existsSync(dataDir), 'the temporary databases are removed');
  });

  it('--keep-running prints curl commands with signed headers that trace, until SIGINT ends it; --store', async () => {
    const store = `sqlite:///${join(work, 'other-store.db')}`;
    const started = start([
      'demo',
      '--out-dir',
      join(work, 'keep'),
      '--keep-running',
      '--hmac-key',
      'demo-key',
      '--store',
      store,
    ]);
    await waitForOutput(started, /Trace a request by hand \(HMAC key: demo-key\)[\s\S]*trace show [0-9a-f-]{36}\n/);
    const text = started.output.stdout;
    const token = /TOKEN=(\S+)/.exec(text)![1]!;
    const example =
      /curl -s (\S+) -H "X-Auth-Token: \$TOKEN" \\\n\s+-H 'X-Trace-Info: (\S+)' \\\n\s+-H 'X-Trace-HMAC: (\S+)'\n\s+npx osprofiler trace show ([0-9a-f-]{36})/.exec(
        text,
      );
    assert.ok(example, text);
    const [, url, info, hmac, id] = example;
    const response = await fetch(url!, {
      headers: { 'X-Auth-Token': token, 'X-Trace-Info': info!, 'X-Trace-HMAC': hmac! },
    });
    assert.equal(response.status, 200);
    await response.text();
    const pids = servicePids(text);
    started.child.kill('SIGINT');
    const run = await started.done;
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(pids.filter(alive), []);
    const shown = await osprofiler(['trace', 'show', id!, '--json', '--connection-string', store]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /"name": "wsgi"/);
    const create = traceIds(text).get('server create')!;
    assert.equal((await osprofiler(['trace', 'show', create, '--json', '--connection-string', store])).code, 0);
    const inDefault = await osprofiler(['trace', 'show', create, '--json']);
    assert.notEqual(inDefault.code, 0, 'the traces went to --store, not to the default store');
  });
});
