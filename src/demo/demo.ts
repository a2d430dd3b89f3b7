// `osprofiler demo`: starts three traced services, makes one traced call, and shows the trace.
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getTraceIdHeaders } from '../propagation/headers.js';
import { renderHtml } from '../report/html.js';
import { renderTerminalTree } from '../report/terminal.js';
import { startTrace } from '../instrumentation/http-client/start-trace.js';
import { CliError, EXIT_FAILURE, messageOf, type CliIo } from '../cli/io.js';
import { chooseStore, openStore } from '../cli/store.js';

const SERVICES = ['scheduler', 'compute', 'api'] as const;

export const DEMO_HELP = `usage: osprofiler demo [--connection-string S] [--out FILE] [--hmac-key KEY] [--no-color]

Starts three small services (api → compute → scheduler, each a Node process with
osprofiler's HTTP middleware, outgoing-request tracing and SQLite query tracing),
sends them one signed request, and shows the trace they wrote: a terminal tree and
an HTML report (default ./osprofiler-demo.html). The trace stays in the store, so
\`osprofiler trace list\` and \`osprofiler trace show <id>\` work on it afterwards.
`;

function serviceScript(): string {
  // why: run from dist/ (.js) or from source under tsx (.ts) alike.
  const self = fileURLToPath(import.meta.url);
  return self.replace(/demo\.(ts|js)$/, 'service.$1');
}

function waitFor<T>(child: ChildProcess, key: string, timeoutMs: number): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`service did not answer "${key}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: Record<string, unknown>) => {
      if (message && key in message) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolvePromise(message[key] as T);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`service exited early (code ${code})`)));
  });
}

/** Runs the demo; returns the exit code. */
export async function demo(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'connection-string': { type: 'string' },
      out: { type: 'string', default: 'osprofiler-demo.html' },
      'hmac-key': { type: 'string', default: 'SECRET_KEY' },
      'no-color': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(DEMO_HELP);
    return 0;
  }
  const store = chooseStore(values['connection-string'], io);
  const key = values['hmac-key']!;
  const children: ChildProcess[] = [];
  try {
    let downstream = '';
    for (const service of SERVICES) {
      const child = fork(serviceScript(), [service, store.connectionString, key], {
        env: { ...io.env, OSPROFILER_DEMO_DOWNSTREAM: downstream },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      const port = await waitFor<number>(child, 'ready', 20_000);
      downstream = `http://127.0.0.1:${port}`;
    }
    io.stderr(`demo: services api → compute → scheduler are up; sending one signed request to ${downstream}\n`);
    const { traceId } = await startTrace(key, async () => {
      const response = await fetch(`${downstream}/servers`, { headers: getTraceIdHeaders() });
      await response.text();
    });
    await Promise.all(
      children.map((child) => {
        child.send({ flush: true });
        return waitFor(child, 'flushed', 10_000);
      }),
    );
    const opened = await openStore(store, {});
    if (opened.kind !== 'open')
      throw new CliError(EXIT_FAILURE, '', `demo: the store ${store.description} was not written\n`);
    const report = await opened.driver.getReport(traceId);
    await opened.driver.close();
    const color = !values['no-color'] && io.env.NO_COLOR === undefined && io.stdoutIsTTY;
    io.stdout(renderTerminalTree(report, { color, baseId: traceId }));
    const out = resolve(io.cwd, values.out!);
    writeFileSync(out, renderHtml(report, { title: `osprofiler demo trace ${traceId}` }));
    io.stdout(
      `\nStored in ${store.description}.\nHTML report: ${out}\n` +
        `Again later: osprofiler trace show ${traceId}   (or --html --out trace.html, --json, --dot)\n` +
        'Browse every stored trace: osprofiler ui\n',
    );
    return 0;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(EXIT_FAILURE, '', `demo failed: ${messageOf(error)}\n`);
  } finally {
    for (const child of children) child.kill();
  }
}
