// `osprofiler trace show <id|file>`: reads one trace and prints it as a tree, JSON, HTML, DOT or trace-event JSON.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { canonicalUuid } from '../../core/ids.js';
import { renderDot } from '../../report/dot.js';
import { renderJson } from '../../report/json.js';
import { resolveTraceArgument } from '../id-prefix.js';
import { renderTerminalTree } from '../../report/terminal.js';
import { renderTraceEvent } from '../../report/trace-event.js';
import { parseCommand, READ_STORE_OPTIONS } from '../args.js';
import { SHOW_HELP, SHOW_USAGE } from '../help.js';
import { ReportTooLargeError } from '../../errors.js';
import { CliError, EXIT_FAILURE, messageOf, usageError, wantColor, type CliIo } from '../io.js';
import { driverOptionsFrom } from '../store.js';
import { loadReport } from '../trace-source.js';
import type { Report } from '../../report/types.js';

const OPTIONS = {
  ...READ_STORE_OPTIONS,
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
  'critical-path': { type: 'boolean' },
} as const;

type Format = 'json' | 'html' | 'dot' | 'trace-event' | 'tree';

/** What `--out` wrote, for the confirmation line. */
const WROTE: Record<Format, string> = {
  json: 'the JSON report',
  html: 'the HTML report',
  dot: 'the DOT graph',
  'trace-event': 'the trace-event JSON',
  tree: 'the tree',
};

// Graphviz output formats chosen by the --render-dot file's extension.
const DOT_FORMATS = new Set(['pdf', 'svg', 'png', 'jpg', 'jpeg', 'gif', 'ps', 'eps', 'dot', 'json', 'plain']);

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

type ShowValues = {
  title?: string;
  color?: boolean;
  'no-color'?: boolean;
  'render-dot'?: string;
  'critical-path'?: boolean;
};

/** The report in `format` (undefined: nothing to print, as for --render-dot alone). */
async function render(
  format: Format,
  report: Report,
  values: ShowValues,
  id: string | undefined,
  io: CliIo,
  out: string | undefined,
): Promise<string | undefined> {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'html': {
      // why: loaded only when asked for; it carries the whole viewer bundle.
      const { renderHtml } = await import('../../report/html.js');
      // why: SQL stores keep base_id in a column, not in the payloads the page could find it in.
      const title = values.title ?? (id !== undefined ? `Trace ${id}` : undefined);
      return renderHtml(report, title !== undefined ? { title } : {});
    }
    case 'dot':
      return renderDot(report);
    case 'trace-event':
      return renderTraceEvent(report);
    case 'tree':
      // --render-dot alone renders the graph and prints nothing else
      if (values['render-dot'] === undefined || out !== undefined) {
        return renderTerminalTree(report, {
          color: wantColor(io, { color: values.color, noColor: values['no-color'], toFile: out !== undefined }),
          ...(id !== undefined ? { baseId: id } : {}),
          criticalPath: values['critical-path'] === true,
        }).replace(/\n$/, '');
      }
      break;
  }
  return undefined;
}

/**
 * `osprofiler trace show`: the report of a stored trace (uuid-like argument) or of a file, in the
 * chosen format, on stdout or into `--out`. Returns the exit code; failures are CliErrors.
 * @since 0.1.0
 */
export async function traceShow(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(argv, { options: OPTIONS, positionals: true, usage: SHOW_USAGE, help: SHOW_HELP }, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
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
  const arg = await resolveTraceArgument(positionals[0], values['connection-string'], driverOptions, io);
  const id = canonicalUuid(arg);

  const report = await loadReport(arg, values['connection-string'], driverOptions, io);

  const out = values.out;
  let output: string | undefined;
  try {
    output = await render(format, report, values, id, io, out);
  } catch (error) {
    // why: a report too deep for a format gets its own sentence, not "unexpected error".
    if (error instanceof ReportTooLargeError) throw new CliError(EXIT_FAILURE, `osprofiler: ${error.message}\n`);
    throw error;
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
      // why: stdout stays empty (scripts may parse it); the path goes to stderr, as the demo says it.
      io.stderr(`osprofiler: wrote ${WROTE[format]} to ${resolve(io.cwd, out)}\n`);
    } else {
      io.stdout(`${output}\n`);
    }
  }
  return 0;
}
