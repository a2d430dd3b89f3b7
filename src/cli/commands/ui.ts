// `osprofiler ui`: a local trace browser over the store (list, then one trace in the HTML viewer), until Ctrl-C.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Driver, TraceReader } from '../../drivers/driver.js';
import { parseCommand, READ_STORE_OPTIONS } from '../args.js';
import { UI_HELP, UI_USAGE } from '../help.js';
import { CliError, EXIT_FAILURE, messageOf, usageError, type CliIo } from '../io.js';
import { chooseStore, driverOptionsFrom, openStore, type StoreChoice } from '../store.js';
import { createUiListener, LOOPBACK_HOSTS, type TraceStore } from '../../browser/server.js';
import type { DriverOptions } from '../../drivers/driver.js';

const OPTIONS = {
  ...READ_STORE_OPTIONS,
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '8077' },
} as const;

/** Hosts that mean "this machine only". */
const LOOPBACK_BINDS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** The store, opened on first use and again on later requests while it does not exist yet. */
function lazyStore(choice: StoreChoice, options: DriverOptions): TraceStore & { close(): Promise<void> } {
  let opened: { driver: Driver; reader: TraceReader } | undefined;
  return {
    description: choice.description,
    async reader() {
      if (opened === undefined) {
        const store = await openStore(choice, options);
        if (store.kind === 'open') opened = store;
      }
      return opened?.reader;
    },
    async close() {
      await opened?.driver.close();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Resolves on the first SIGINT or SIGTERM (the handlers are removed again). */
function interrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/**
 * `osprofiler ui [--host H] [--port N] [--connection-string S]`: serves the trace browser on
 * http://127.0.0.1:8077/ until Ctrl-C. Bound to loopback (and answering only requests addressed to
 * localhost) unless `--host` names another address.
 * @since 0.1.0
 */
export async function ui(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(argv, { options: OPTIONS, positionals: false, usage: UI_USAGE, help: UI_HELP }, io);
  if (parsed === undefined) return 0;
  const { values } = parsed;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw usageError(UI_USAGE, `argument --port: invalid port: '${values.port}'`);
  const host = values.host!;
  const loopback = LOOPBACK_BINDS.has(host.toLowerCase());
  const choice = chooseStore(values['connection-string'], io);
  const store = lazyStore(choice, driverOptionsFrom(values, UI_USAGE));
  // why: fail now, with the CLI's message, when the store is unreachable or the string is wrong.
  await store.reader();
  const server = createServer(
    createUiListener({
      store,
      allowedHosts: loopback ? LOOPBACK_HOSTS : undefined,
      onError: (error) => io.stderr(`osprofiler ui: ${messageOf(error)}\n`),
    }),
  );
  let address: AddressInfo;
  try {
    address = await listen(server, port, host);
  } catch (error) {
    await store.close();
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? ` (port ${port} is in use: pick another with --port)` : '';
    throw new CliError(EXIT_FAILURE, `osprofiler ui: cannot listen on ${host}:${port}: ${messageOf(error)}${hint}\n`);
  }
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  io.stdout(`osprofiler ui: http://${shownHost}:${address.port}/  (${choice.description}; Ctrl-C to stop)\n`);
  if (!loopback) {
    io.stderr(
      `osprofiler ui: listening on ${host}: anyone who can reach this port can read the traces (SQL parameters, URLs).\n`,
    );
  }
  await interrupted();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
  return 0;
}
