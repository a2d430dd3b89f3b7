// Reads the report a CLI argument names: a trace id (from a store) or a file (a report or stored notifications).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { canonicalUuid } from '../core/ids.js';
import type { Driver, DriverOptions, TraceReader } from '../drivers/driver.js';
import { buildReport } from '../report/build.js';
import type { Report, StoredNotification } from '../report/types.js';
import { CliError, EXIT_FAILURE, messageOf, traceNotFoundSentence, type CliIo } from './io.js';
import {
  chooseStore,
  closeQuietly,
  openStore,
  plural,
  storeContents,
  storeFailure,
  type StoreChoice,
} from './store.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A trace file: a report (what `--json` printed: an object with `children`, as Python reads),
 * or beyond Python, stored notifications (an array, or an object with a `notifications` array).
 */
async function readTraceFile(path: string, io: CliIo): Promise<Report> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file (and it is not a trace id)' : messageOf(error);
    throw new CliError(EXIT_FAILURE, `osprofiler: cannot read the trace file ${path}: ${why}\n`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CliError(EXIT_FAILURE, `osprofiler: the trace file ${path} is not JSON: ${messageOf(error)}\n`);
  }
  if (Array.isArray(data)) return buildReport(data as StoredNotification[]);
  if (isObject(data) && Array.isArray(data.notifications) && !Array.isArray(data.children)) {
    return buildReport(data.notifications as StoredNotification[]);
  }
  if (isObject(data)) return data as unknown as Report;
  throw new CliError(EXIT_FAILURE, `osprofiler: the trace file ${path} holds neither a report nor notifications\n`);
}

/** The Python sentence on stdout, then (stderr) what tells the causes apart. */
async function notFound(
  id: string,
  choice: StoreChoice | undefined,
  store: { driver: Driver; reader: TraceReader } | undefined,
  missing: string | undefined,
): Promise<CliError> {
  const sentence = `${traceNotFoundSentence(id)}\n`;
  if (choice === undefined)
    return new CliError(EXIT_FAILURE, `The file ${id} holds a report without trace points.\n`, sentence);
  const lines = [
    `Store read: ${choice.description}${choice.source === 'env' ? ' (from OSPROFILER_CONNECTION_STRING)' : ''}`,
  ];
  if (missing !== undefined) {
    lines.push(`That file does not exist: no service has stored a trace there yet.`);
  } else if (store?.driver.scheme === 'messaging') {
    // why: a queue cannot be listed; reading it consumed every waiting notification.
    lines.push(
      'The queue was read until it stayed idle for --idle-timeout seconds; notifications of other traces',
      'that were waiting were consumed and dropped, as the Python CLI does (run `osprofiler collect` to keep them).',
      'Messaging stores only see traces sent while listening or still queued: try a longer --idle-timeout.',
    );
  } else if (store !== undefined) {
    try {
      const contents = await storeContents(store.reader);
      if (contents.count === 0) {
        lines.push('The store was reachable and holds no traces at all.');
      } else {
        lines.push(`The store was reachable and holds ${plural(contents.count, 'trace')}; the most recent:`);
        for (const t of contents.recent) {
          const o = t.overview;
          const extra = o
            ? `  ${o.services.join(', ') || '-'}, ${plural(o.spans, 'point')}${o.durationMs !== null ? `, ${o.durationMs} ms` : ''}${o.error ? `, error ${o.error}` : ''}`
            : '';
          lines.push(`  ${t.base_id}  ${t.timestamp}${extra}`);
        }
      }
    } catch (error) {
      lines.push(`The store could not be listed: ${messageOf(error)}`);
    }
  }
  lines.push(
    'Check the trace id, that the services write to this store (their [profiler] connection_string or',
    'OSPROFILER_CONNECTION_STRING), and that the request was signed with one of their HMAC keys.',
  );
  return new CliError(EXIT_FAILURE, `${lines.join('\n')}\n`, sentence);
}

/**
 * The report `arg` names: a uuid-like argument is read from the store (`connectionOption`, else
 * OSPROFILER_CONNECTION_STRING, else the default SQLite file), anything else is a file. A trace
 * that is missing or empty is a CliError that says which of id, store or key to check.
 */
export async function loadReport(
  arg: string,
  connectionOption: string | undefined,
  driverOptions: DriverOptions,
  io: CliIo,
): Promise<Report> {
  const id = canonicalUuid(arg);
  if (id === undefined) {
    const report = await readTraceFile(arg, io);
    if (!Array.isArray(report.children) || report.children.length === 0)
      throw await notFound(arg, undefined, undefined, undefined);
    return report;
  }
  const choice = chooseStore(connectionOption, io);
  const store = await openStore(choice, driverOptions, id);
  if (store.kind === 'missing') throw await notFound(arg, choice, undefined, store.path);
  const { driver, reader } = store;
  try {
    let report: Report;
    try {
      report = await reader.getReport(id);
    } catch (error) {
      throw storeFailure(choice, error);
    }
    if (!Array.isArray(report.children) || report.children.length === 0)
      throw await notFound(arg, choice, store, undefined);
    return report;
  } finally {
    await closeQuietly(driver);
  }
}
