// `osprofiler demo`: an OpenStack-shaped deployment of traced Node services, five client commands, their traces.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderHtml, renderTerminalTree, type Report } from '../report/index.js';
import { CliError, EXIT_FAILURE, messageOf, usageError, wantColor, type CliIo } from '../cli/io.js';
import { chooseStore, openStore, plural } from '../cli/store.js';
import type { Driver, TraceReader } from '../drivers/driver.js';
import { ApiClient, demoCommands, issueToken, runCommand } from './client.js';
import { curlExamples } from './curl-examples.js';
import { Deployment } from './supervisor.js';
import { readWholeTrace, traceFacts } from './trace-check.js';

export const DEMO_USAGE =
  'usage: osprofiler demo [--store URL] [--transport-url URL] [--out-dir DIR] [--hmac-key KEY] [--keep-running] [--no-color]';

export const DEMO_HELP = `${DEMO_USAGE}

Starts a small OpenStack-shaped deployment of Node services, each a separate process
integrated with osprofiler the way its OpenStack model is:
  identity (Keystone-like), image (Glance-like), compute API, conductor, scheduler and
  compute (Nova-like), network server and agent (Neutron-like), volume API and volume
  (Cinder-like), each with its own SQLite database in a temporary folder.
Then runs five client commands with a profile key (user list, image list, server list,
volume list, server create) and prints, for each, the trace id, a terminal tree and the
command that renders it; the HTML reports are written to --out-dir. docs/demo.md maps
every service to the Python pattern it reproduces.

  --store URL           where the services send their traces (default: the embedded
                        SQLite store, or OSPROFILER_CONNECTION_STRING); also --connection-string
  --transport-url URL   RPC over RabbitMQ (amqp://…) instead of the built-in channel
  --out-dir DIR         folder of the HTML reports (default ./osprofiler-demo)
  --hmac-key KEY        the profile key (default SECRET_KEY)
  --keep-running        leave the services up (until Ctrl-C) and print curl examples
`;

/** Exit codes after a signal (128 + its number). */
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/** Runs the demo; returns the exit code. Services never outlive it, also on Ctrl-C or SIGTERM. */
export async function demo(argv: readonly string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        store: { type: 'string' },
        'connection-string': { type: 'string' },
        'transport-url': { type: 'string' },
        'out-dir': { type: 'string', default: 'osprofiler-demo' },
        'hmac-key': { type: 'string', default: 'SECRET_KEY' },
        'keep-running': { type: 'boolean', default: false },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw usageError(DEMO_USAGE, messageOf(error));
  }
  if (values.help) {
    io.stdout(DEMO_HELP);
    return 0;
  }
  const key = values['hmac-key'];
  if (key.trim() === '') throw usageError(DEMO_USAGE, 'argument --hmac-key: must not be empty');
  const store = chooseStore(values.store ?? values['connection-string'], io);
  const color = wantColor(io, { noColor: values['no-color'] });
  const outDir = resolve(io.cwd, values['out-dir']);
  const dataDir = mkdtempSync(join(tmpdir(), 'osprofiler-demo-'));
  const deployment = new Deployment();
  let driver: Driver | undefined;
  let interrupted: ((signal: 'SIGINT' | 'SIGTERM') => void) | undefined;
  const cleanup = async (): Promise<void> => {
    await deployment.stop();
    await Promise.resolve(driver?.close()).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };
  // why: on Ctrl-C / SIGTERM the services must go too; the default action would leave them to
  // notice the closed channel on their own, and the temporary folder behind.
  const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    if (interrupted !== undefined) return interrupted(signal);
    void cleanup().finally(() => process.exit(SIGNAL_EXIT[signal]));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const started = Date.now();
    await deployment.start({
      connectionString: store.connectionString,
      hmacKey: key,
      dataDir,
      transportUrl: values['transport-url'],
      queuePrefix: `osprofiler-demo.${randomBytes(4).toString('hex')}`,
    });
    // why: one write, so a reader of the pipe never sees the heading without the table under it.
    let table =
      `Started ${deployment.services.length} services in ${Date.now() - started} ms ` +
      `(RPC: ${values['transport-url'] === undefined ? 'built-in channel' : 'RabbitMQ'}; databases in ${dataDir}):\n`;
    for (const s of deployment.services) {
      const where = s.port === null ? `rpc ${s.role.topics.join(', ')}` : `http://127.0.0.1:${s.port}`;
      table += `  ${s.role.name.padEnd(14)} ${`${s.role.project}-${s.role.service}`.padEnd(22)} pid ${String(s.pid).padEnd(8)} ${where}\n`;
    }
    io.stdout(table);
    const catalog = deployment.catalog;
    const token = await issueToken(catalog, 'demo', 'secret');
    const api = new ApiClient(catalog, token);
    const running = deployment;
    // why: a fresh default store is created by the services' first write, so it is opened after the first command.
    let opened: TraceReader | undefined;
    const reader = async (): Promise<TraceReader> => {
      if (opened !== undefined) return opened;
      const store_ = await openStore(store, {});
      if (store_.kind !== 'open')
        throw new CliError(EXIT_FAILURE, `demo: nothing was written to ${store.description}\n`);
      driver = store_.driver;
      return (opened = store_.reader);
    };
    mkdirSync(outDir, { recursive: true });
    const written: string[] = [];
    let richest = { services: 0, id: '' };
    for (const command of demoCommands()) {
      const run = await runCommand(api, command, key);
      await running.flushAll();
      const store_ = await reader();
      const report: Report = await readWholeTrace(
        () => running.flushAll(),
        (id) => store_.getReport(id),
        run.traceId,
      );
      const facts = traceFacts(report, run.traceId);
      if (facts.services.size > richest.services) richest = { services: facts.services.size, id: run.traceId };
      const file = join(outDir, `${command.slug}.html`);
      writeFileSync(file, renderHtml(report, { title: `openstack ${command.line}` }));
      written.push(file);
      const shown = relative(io.cwd, file) || file;
      io.stdout(
        `\n$ openstack --os-profile ${key} ${command.line}${run.summary ? `   → ${run.summary}` : ''}\n` +
          `Trace ID: ${run.traceId}   (${plural(facts.points, 'point')}, ${plural(facts.services.size, 'service')})\n` +
          renderTerminalTree(report, { color, baseId: run.traceId, barWidth: 12, maxDetail: 64 }) +
          `To display it: npx osprofiler trace show ${run.traceId} --html --out ${shown}\n`,
      );
    }
    io.stdout(
      `\nHTML reports (open one in a browser):\n${written.map((f) => `  ${f}\n`).join('')}` +
        `Traces stored in ${store.description}; richest: ${richest.id} (${richest.services} services).\n` +
        `List them: npx osprofiler trace list   ·   browse them: npx osprofiler ui\n`,
    );
    if (values['keep-running']) {
      io.stdout(`\n${curlExamples(catalog, token, key)}`);
      await new Promise<void>((resolveWait) => {
        interrupted = () => resolveWait();
      });
    }
    return 0;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(EXIT_FAILURE, `demo failed: ${messageOf(error)}\n`);
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
