// `osprofiler trace show <id|file>`: reads one trace and prints it as a tree, JSON, HTML, DOT or trace-event JSON.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Driver } from '../../drivers/driver.js';
import { canonicalUuid } from '../../core/ids.js';
import { buildReport } from '../../report/build.js';
import { renderDot } from '../../report/dot.js';
import { renderJson } from '../../report/json.js';
import { renderTerminalTree } from '../../report/terminal.js';
import { renderTraceEvent } from '../../report/trace-event.js';
import type { Report, StoredNotification } from '../../report/types.js';
import { SHOW_HELP, SHOW_USAGE } from '../help.js';
import { CliError, EXIT_FAILURE, messageOf, traceNotFoundSentence, usageError, wantColor, type CliIo } from '../io.js';
import {
  chooseStore,
  driverOptionsFrom,
  openStore,
  plural,
  storeContents,
  storeFailure,
  type StoreChoice,
} from '../store.js';

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  'connection-string': { type: 'string' },
  'transport-url': { type: 'string' },
  'idle-timeout': { type: 'string' },
  json: { type: 'boolean' },
  html: { type: 'boolean' },
  'local-libs': { type: 'boolean' },
  dot: { type: 'boolean' },
  'trace-event': { type: 'boolean' },
  'render-dot': { type: 'string' },
  out: { type: 'string' },
  title: { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
} as const;

type Format = 'json' | 'html' | 'dot' | 'trace-event' | 'tree';

// Graphviz output formats chosen by the --render-dot file's extension.
const DOT_FORMATS = new Set(['pdf', 'svg', 'png', 'jpg', 'jpeg', 'gif', 'ps', 'eps', 'dot', 'json', 'plain']);

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
  driver: Driver | undefined,
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
  } else if (driver?.scheme === 'messaging') {
    // why: a queue cannot be listed; reading it consumed every waiting notification.
    lines.push(
      'The queue was read until it stayed idle for --idle-timeout seconds; notifications of other traces',
      'that were waiting were consumed and dropped, as the Python CLI does (run `osprofiler collect` to keep them).',
      'Messaging stores only see traces sent while listening or still queued: try a longer --idle-timeout.',
    );
  } else if (driver !== undefined) {
    try {
      const contents = await storeContents(driver);
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

/** Runs `dot -T<format> -o <target>` on the source; a clear error when Graphviz is missing. */
async function renderWithGraphviz(source: string, file: string, io: CliIo): Promise<string> {
  const ext = extname(file).slice(1).toLowerCase();
  // why: Python's graphviz.render(name) writes "<name>.pdf"; a known extension picks the format instead.
  const format = DOT_FORMATS.has(ext) ? ext : 'pdf';
  const target = resolve(io.cwd, DOT_FORMATS.has(ext) ? file : `${file}.pdf`);
  await new Promise<void>((done, fail) => {
    const child = spawn('dot', [`-T${format === 'jpeg' ? 'jpg' : format}`, '-o', target], {
      stdio: ['pipe', 'ignore', 'pipe'],
      env: io.env as NodeJS.ProcessEnv,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      fail(
        error.code === 'ENOENT'
          ? new CliError(
              EXIT_FAILURE,
              'osprofiler: --render-dot needs Graphviz, but its `dot` command was not found on PATH.\n' +
                'Install Graphviz (e.g. `apt-get install graphviz` or `brew install graphviz`), or print the DOT source with --dot.\n',
            )
          : new CliError(EXIT_FAILURE, `osprofiler: could not run Graphviz dot: ${error.message}\n`),
      );
    });
    child.on('close', (code) => {
      if (code === 0) done();
      else fail(new CliError(EXIT_FAILURE, `osprofiler: Graphviz dot failed (exit ${code}): ${stderr.trim()}\n`));
    });
    child.stdin.on('error', () => {}); // reported through 'error'/'close'
    child.stdin.end(source);
  });
  return target;
}

function chooseFormat(values: { [K in 'json' | 'html' | 'dot' | 'trace-event']?: boolean }): Format {
  const chosen = (['json', 'html', 'dot', 'trace-event'] as const).filter((f) => values[f]);
  if (chosen.length > 1)
    throw usageError(SHOW_USAGE, `choose one output format, not ${chosen.map((f) => `--${f}`).join(' and ')}`);
  return chosen[0] ?? 'tree';
}

/**
 * `osprofiler trace show`: the report of a stored trace (uuid-like argument) or of a file, in the
 * chosen format, on stdout or into `--out`. Returns the exit code; failures are CliErrors.
 * @since 0.1.0
 */
export async function traceShow(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(SHOW_USAGE, messageOf(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(SHOW_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    throw usageError(
      SHOW_USAGE,
      positionals.length === 0
        ? 'the following arguments are required: trace'
        : `unrecognized arguments: ${positionals.slice(1).join(' ')}`,
    );
  }
  if (values.color && values['no-color']) throw usageError(SHOW_USAGE, '--color and --no-color cannot be combined');
  const format = chooseFormat(values);
  const driverOptions = driverOptionsFrom(values, SHOW_USAGE);
  const arg = positionals[0];
  const id = canonicalUuid(arg);

  let report: Report;
  if (id === undefined) {
    report = await readTraceFile(arg, io);
    if (!Array.isArray(report.children) || report.children.length === 0)
      throw await notFound(arg, undefined, undefined, undefined);
  } else {
    const choice = chooseStore(values['connection-string'], io);
    const store = await openStore(choice, driverOptions);
    if (store.kind === 'missing') throw await notFound(arg, choice, undefined, store.path);
    const driver = store.driver;
    try {
      try {
        report = await driver.getReport(id);
      } catch (error) {
        throw storeFailure(choice, error);
      }
      if (!Array.isArray(report.children) || report.children.length === 0)
        throw await notFound(arg, choice, driver, undefined);
    } finally {
      await closeQuietly(driver);
    }
  }

  const out = values.out;
  let output: string | undefined;
  switch (format) {
    case 'json':
      output = renderJson(report);
      break;
    case 'html': {
      // why: loaded only when asked for; it carries the whole viewer bundle.
      const { renderHtml } = await import('../../report/html.js');
      // why: SQL stores keep base_id in a column, not in the payloads the page could find it in.
      const title = values.title ?? (id !== undefined ? `Trace ${id}` : undefined);
      output = renderHtml(report, title !== undefined ? { title } : {});
      break;
    }
    case 'dot':
      output = renderDot(report);
      break;
    case 'trace-event':
      output = renderTraceEvent(report);
      break;
    case 'tree':
      // --render-dot alone renders the graph and prints nothing else
      if (values['render-dot'] === undefined || out !== undefined) {
        output = renderTerminalTree(report, {
          color: wantColor(io, { color: values.color, noColor: values['no-color'], toFile: out !== undefined }),
          ...(id !== undefined ? { baseId: id } : {}),
        }).replace(/\n$/, '');
      }
      break;
  }
  if (values['render-dot'] !== undefined) {
    const source = format === 'dot' ? (output as string) : renderDot(report);
    const target = await renderWithGraphviz(source, values['render-dot'], io);
    io.stderr(`osprofiler: rendered the graph to ${target}\n`);
  }
  if (output !== undefined) {
    if (out !== undefined) {
      try {
        // Python writes the output without print()'s newline.
        await writeFile(resolve(io.cwd, out), output);
      } catch (error) {
        throw new CliError(EXIT_FAILURE, `osprofiler: cannot write ${out}: ${messageOf(error)}\n`);
      }
    } else {
      io.stdout(`${output}\n`);
    }
  }
  return 0;
}

async function closeQuietly(driver: Driver): Promise<void> {
  try {
    await driver.close();
  } catch {
    // closing a read-only connection cannot lose data
  }
}
