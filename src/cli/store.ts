// Picks and opens the store the CLI reads (option > OSPROFILER_CONNECTION_STRING > default SQLite) and explains empty answers.
import { existsSync } from 'node:fs';
import '../drivers/builtin.js';
import {
  defaultConnectionString,
  describeStore,
  parseSqliteConnectionString,
} from '../drivers/sqlite/default-location.js';
import {
  createDriver,
  knownSchemes,
  registerDriver,
  schemeOf,
  type Driver,
  type DriverOptions,
  type TraceReader,
} from '../drivers/driver.js';
import type { TraceOverview } from '../drivers/trace-overview.js';
import { createSqliteDriver } from '../drivers/sqlite/driver.js';
import { BadConnectionStringError, DriverMissingError, NotATraceStoreError, OsprofilerError } from '../errors.js';
import { CliError, EXIT_FAILURE, MISSING_CONNECTION_STRING, messageOf, usageError, type CliIo } from './io.js';

/**
 * why: the CLI always needs the default store; when drivers/builtin.ts does not register sqlite
 * the CLI does it itself (a registration made there wins, because it is already present).
 */
function ensureSqliteDriver(): void {
  if (!knownSchemes().includes('sqlite')) registerDriver('sqlite', (cs, options) => createSqliteDriver(cs, options));
}

/** Which store a command reads and why. */
export interface StoreChoice {
  connectionString: string;
  /** Where the string came from. */
  source: 'option' | 'env' | 'default';
  /** "SQLite file /…/traces.db (the default store)", a redacted URL, … */
  description: string;
}

/**
 * `--connection-string` when given, else `OSPROFILER_CONNECTION_STRING` when non-empty, else the
 * default SQLite store. An explicitly empty option gives the Python CLI's "You must provide
 * connection string …" failure.
 */
export function chooseStore(option: string | undefined, io: CliIo): StoreChoice {
  if (option !== undefined) {
    if (option.trim() === '') throw new CliError(EXIT_FAILURE, '', `${MISSING_CONNECTION_STRING}\n`);
    return { connectionString: option, source: 'option', description: describeStore(option, io.env) };
  }
  const fromEnv = io.env.OSPROFILER_CONNECTION_STRING;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { connectionString: fromEnv, source: 'env', description: describeStore(fromEnv, io.env) };
  }
  return {
    connectionString: defaultConnectionString(io.env),
    source: 'default',
    description: describeStore(undefined, io.env),
  };
}

/** An opened store, or the reason there is none. */
export type OpenedStore =
  | { kind: 'open'; driver: Driver; reader: TraceReader }
  /** A SQLite file that does not exist: nothing was ever written there. */
  | { kind: 'missing'; path: string };

/** The scheme of a store's connection string; an unknown or malformed one is a CliError (exit 1). */
export function storeScheme(connectionString: string): string {
  try {
    return schemeOf(connectionString);
  } catch (error) {
    throw new CliError(EXIT_FAILURE, `osprofiler: ${messageOf(error)}\n`);
  }
}

/**
 * Opens the store for reading. A SQLite file that does not exist is reported as `missing`
 * (reading never creates it). An unknown scheme, a missing client package, an unreachable store
 * or a write-only backend (its message says where to look instead, for `forTrace` if given) is a
 * CliError (exit 1) whose message names the store.
 */
export async function openStore(choice: StoreChoice, options: DriverOptions, forTrace?: string): Promise<OpenedStore> {
  ensureSqliteDriver();
  const scheme = storeScheme(choice.connectionString);
  if (scheme === 'sqlite') {
    const location = parseSqliteConnectionString(choice.connectionString);
    if (location !== undefined && !location.memory && !existsSync(location.path))
      return { kind: 'missing', path: location.path };
  }
  let driver: Driver;
  try {
    // why: readers never write: a read-only open makes no table and leaves the journal mode alone,
    // so a mistyped path cannot change someone else's database (SQLite; other drivers ignore it).
    driver = await createDriver(choice.connectionString, { ...options, fileMustExist: true, readonly: true });
  } catch (error) {
    throw storeFailure(choice, error);
  }
  // why: a server that accepts the connection but never answers must not hang the command;
  // connect() settles within the driver's connectTimeoutMs (5 s by default).
  try {
    await driver.connect?.();
  } catch (error) {
    // why: closing a half-open connection can wait on the store too; the CLI exits anyway.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      Promise.resolve()
        .then(() => driver.close())
        .catch(() => {})
        .finally(() => {
          clearTimeout(timer);
          resolve();
        });
    });
    throw connectFailure(choice, error);
  }
  if (driver.reader !== undefined) return { kind: 'open', driver, reader: driver.reader };
  const reason = driver.unreadableReason?.(forTrace) ?? `The ${scheme}:// driver cannot read traces back.`;
  await closeQuietly(driver);
  throw new CliError(EXIT_FAILURE, `osprofiler: ${reason}\n`);
}

/** Closes a store opened for reading; a failure to close loses nothing, so it is ignored. */
export async function closeQuietly(driver: Driver): Promise<void> {
  try {
    await driver.close();
  } catch {
    // closing a read-only connection cannot lose data
  }
}

/** A CliError (exit 1) in one line for a store server that could not be reached in time. */
export function connectFailure(choice: StoreChoice, error: unknown): CliError {
  return new CliError(
    EXIT_FAILURE,
    `osprofiler: cannot connect to the store ${choice.description}: ${messageOf(error)} ` +
      `(check that it is running and reachable, and --connection-string or OSPROFILER_CONNECTION_STRING)\n`,
  );
}

/** True when the connection string names a file (SQLite) rather than a server. */
function isFileStore(choice: StoreChoice): boolean {
  try {
    return schemeOf(choice.connectionString) === 'sqlite';
  } catch {
    return false;
  }
}

/**
 * A CliError for a store that could not be opened or read. Only a server is told to be checked
 * for "running and reachable"; a file that is not a trace store, or a damaged one, gets one line.
 */
export function storeFailure(choice: StoreChoice, error: unknown): CliError {
  if (
    error instanceof BadConnectionStringError ||
    error instanceof DriverMissingError ||
    error instanceof NotATraceStoreError
  ) {
    return new CliError(EXIT_FAILURE, `osprofiler: ${messageOf(error)}\n`);
  }
  const code = error instanceof OsprofilerError ? '' : ` (${(error as { code?: string })?.code ?? 'error'})`;
  if (isFileStore(choice)) {
    return new CliError(
      EXIT_FAILURE,
      `osprofiler: could not read the store ${choice.description}: ${messageOf(error)}\n`,
    );
  }
  return new CliError(
    EXIT_FAILURE,
    `osprofiler: could not read the store ${choice.description}: ${messageOf(error)}${code}\n` +
      `Check that it is running and reachable, and the connection string (--connection-string or OSPROFILER_CONNECTION_STRING).\n`,
  );
}

/** What the store holds, for messages: count and the most recent traces (newest first). */
export interface StoreContents {
  count: number;
  recent: { base_id: string; timestamp: string; overview?: TraceOverview }[];
}

/** Counts the traces and lists the `limit` most recent ones, with one query where the driver can. */
export async function storeContents(reader: TraceReader, limit = 5): Promise<StoreContents> {
  const source = reader.overviews;
  if (source !== undefined) {
    const [count, overviews] = await Promise.all([source.countTraces(), source.listTraceOverviews({ limit })]);
    return {
      count,
      recent: overviews.reverse().map((o) => ({ base_id: o.base_id, timestamp: o.timestamp, overview: o })),
    };
  }
  const all = await reader.listTraces(['base_id', 'timestamp']);
  const sorted = all
    .map((t) => ({ base_id: String(t.base_id), timestamp: typeof t.timestamp === 'string' ? t.timestamp : '' }))
    .sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0));
  return { count: all.length, recent: sorted.slice(0, limit) };
}

/** "3 traces" / "1 trace". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Driver options from the shared `--transport-url` / `--idle-timeout SECONDS` flags. */
export function driverOptionsFrom(
  values: { 'transport-url'?: string; 'idle-timeout'?: string },
  usage: string,
): DriverOptions {
  const options: DriverOptions = {};
  const transportUrl = values['transport-url'];
  if (transportUrl !== undefined) options.transportUrl = transportUrl;
  const idle = values['idle-timeout'];
  if (idle !== undefined) {
    const seconds = Number(idle);
    if (idle.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
      throw usageError(usage, `argument --idle-timeout: invalid number of seconds: '${idle}'`);
    }
    options.idleTimeoutMs = Math.round(seconds * 1000);
  }
  return options;
}
