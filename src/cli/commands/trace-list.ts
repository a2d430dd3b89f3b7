// `osprofiler trace list [--error-trace]`: one table line per stored trace.
import type { TraceReader } from '../../drivers/driver.js';
import type { TraceOverview } from '../../drivers/trace-overview.js';
import { parseCommand, READ_STORE_OPTIONS } from '../args.js';
import { LIST_HELP, LIST_USAGE } from '../help.js';
import { usageError, type CliIo } from '../io.js';
import { chooseStore, closeQuietly, driverOptionsFrom, openStore, plural, storeFailure } from '../store.js';
import { renderTable } from '../table.js';

const OPTIONS = {
  ...READ_STORE_OPTIONS,
  'error-trace': { type: 'boolean' },
  limit: { type: 'string' },
} as const;

/** Python's columns; stores that can summarise traces add the rest. */
const PYTHON_HEADERS = ['base_id', 'timestamp'];
const OVERVIEW_HEADERS = ['base_id', 'timestamp', 'duration', 'points', 'services', 'error'];

/**
 * Python's `--error-trace` takes a value parsed with `bool()`: any non-empty text (even "False")
 * means yes, "" means no. We also accept it as a plain flag. Returns the argv without the value.
 */
function takeErrorTraceValue(argv: readonly string[]): { args: string[]; errorTrace?: boolean } {
  const args: string[] = [];
  let errorTrace: boolean | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith('--error-trace=')) {
      errorTrace = arg.length > '--error-trace='.length;
    } else if (arg === '--error-trace') {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('-')) {
        errorTrace = next !== '';
        i++;
      } else if (next === '') {
        errorTrace = false;
        i++;
      } else {
        errorTrace = true;
      }
    } else {
      args.push(arg);
    }
  }
  return errorTrace === undefined ? { args } : { args, errorTrace };
}

function overviewRow(o: TraceOverview): string[] {
  return [
    o.base_id,
    o.timestamp,
    o.durationMs === null ? '' : `${o.durationMs} ms`,
    String(o.spans),
    o.services.join(', '),
    o.error ?? '',
  ];
}

async function rows(
  reader: TraceReader,
  errorsOnly: boolean,
  limit: number | undefined,
): Promise<{ headers: string[]; rows: string[][] }> {
  if (reader.overviews !== undefined) {
    const overviews = await reader.overviews.listTraceOverviews({
      errorsOnly,
      ...(limit !== undefined ? { limit } : {}),
    });
    return { headers: OVERVIEW_HEADERS, rows: overviews.map(overviewRow) };
  }
  const traces = errorsOnly ? await reader.listErrorTraces() : await reader.listTraces(['base_id', 'timestamp']);
  const list = traces
    .map((t) => [String(t.base_id), typeof t.timestamp === 'string' ? t.timestamp : String(t.timestamp ?? '')])
    .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return { headers: PYTHON_HEADERS, rows: limit !== undefined ? list.slice(Math.max(0, list.length - limit)) : list };
}

/**
 * `osprofiler trace list`: every trace of the store (or only those with an error), oldest first,
 * as a prettytable. The table goes to stdout; which store was read, to stderr.
 * @since 0.1.0
 */
export async function traceList(argv: readonly string[], io: CliIo): Promise<number> {
  const { args, errorTrace } = takeErrorTraceValue(argv);
  const parsed = parseCommand(args, { options: OPTIONS, positionals: false, usage: LIST_USAGE, help: LIST_HELP }, io);
  if (parsed === undefined) return 0;
  const { values } = parsed;
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    // why: Number() takes "1e3" and rounds "99999999999999999999" to an integer the store rejects.
    if (!/^\s*\d+\s*$/.test(values.limit) || !Number.isSafeInteger(limit))
      throw usageError(LIST_USAGE, `argument --limit: invalid count: '${values.limit}'`);
  }
  const errorsOnly = errorTrace ?? values['error-trace'] ?? false;
  const choice = chooseStore(values['connection-string'], io);
  const store = await openStore(choice, driverOptionsFrom(values, LIST_USAGE));
  if (store.kind === 'missing') {
    io.stdout(renderTable(PYTHON_HEADERS, []));
    io.stderr(`Store read: ${choice.description}, which does not exist yet (no service has stored a trace there).\n`);
    return 0;
  }
  const { driver, reader } = store;
  try {
    let table: { headers: string[]; rows: string[][] };
    try {
      table = await rows(reader, errorsOnly, limit);
    } catch (error) {
      throw storeFailure(choice, error);
    }
    io.stdout(renderTable(table.headers, table.rows));
    const count = `${plural(table.rows.length, 'trace')}${errorsOnly ? ' with an error' : ''}${limit !== undefined ? ' shown' : ''}`;
    io.stderr(`Store read: ${choice.description} — ${count}.\n`);
  } finally {
    await closeQuietly(driver);
  }
  return 0;
}
