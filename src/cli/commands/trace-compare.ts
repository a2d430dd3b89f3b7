// `osprofiler trace compare A B`: per span type, service and operation deltas between two traces, as text, JSON or HTML.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { compareReports } from '../../report/compare.js';
import { renderComparisonText } from '../../report/compare-text.js';
import { parseCommand, READ_STORE_OPTIONS } from '../args.js';
import { COMPARE_HELP, COMPARE_USAGE } from '../help.js';
import { CliError, EXIT_FAILURE, messageOf, usageError, wantColor, type CliIo } from '../io.js';
import { driverOptionsFrom } from '../store.js';
import { loadReport } from '../trace-source.js';

const OPTIONS = {
  ...READ_STORE_OPTIONS,
  'connection-string-a': { type: 'string' },
  'connection-string-b': { type: 'string' },
  json: { type: 'boolean' },
  html: { type: 'boolean' },
  out: { type: 'string' },
  limit: { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
} as const;

/**
 * `osprofiler trace compare A B`: reads both traces (ids from a store, each side's own with
 * `--connection-string-a/-b`, or files from `trace show --json`) and prints the comparison as
 * tables, `--json` or a `--html` page. Returns the exit code; failures are CliErrors.
 * @since 0.2.0
 */
export async function traceCompare(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(
    argv,
    { options: OPTIONS, positionals: true, usage: COMPARE_USAGE, help: COMPARE_HELP },
    io,
  );
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 2) {
    throw usageError(
      COMPARE_USAGE,
      positionals.length < 2
        ? `the following arguments are required: ${positionals.length === 0 ? 'A, B' : 'B'}`
        : `unrecognized arguments: ${positionals.slice(2).join(' ')}`,
    );
  }
  if (values.json && values.html) throw usageError(COMPARE_USAGE, 'choose one output format, not --json and --html');
  if (values.color && values['no-color']) throw usageError(COMPARE_USAGE, '--color and --no-color cannot be combined');
  let limit = 15;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 0)
      throw usageError(COMPARE_USAGE, `argument --limit: invalid count: '${values.limit}'`);
  }
  const driverOptions = driverOptionsFrom(values, COMPARE_USAGE);
  const [argA, argB] = positionals as [string, string];
  const reportA = await loadReport(
    argA,
    values['connection-string-a'] ?? values['connection-string'],
    driverOptions,
    io,
  );
  const reportB = await loadReport(
    argB,
    values['connection-string-b'] ?? values['connection-string'],
    driverOptions,
    io,
  );
  const cmp = compareReports(reportA, reportB);

  const out = values.out;
  let output: string;
  if (values.json) {
    output = JSON.stringify(
      {
        a: { trace: argA, ...cmp.a },
        b: { trace: argB, ...cmp.b },
        byType: cmp.byType,
        byService: cmp.byService,
        byOperation: cmp.byOperation,
      },
      null,
      2,
    );
  } else if (values.html) {
    // why: loaded only when asked for.
    const { renderComparisonHtml } = await import('../../report/compare-html.js');
    output = renderComparisonHtml(cmp, { report: reportA, label: argA }, { report: reportB, label: argB });
  } else {
    output = renderComparisonText(cmp, {
      color: wantColor(io, { color: values.color, noColor: values['no-color'], toFile: out !== undefined }),
      limit,
      labels: { a: argA, b: argB },
    }).replace(/\n$/, '');
  }
  if (out !== undefined) {
    try {
      await writeFile(resolve(io.cwd, out), output);
    } catch (error) {
      throw new CliError(EXIT_FAILURE, `osprofiler: cannot write ${out}: ${messageOf(error)}\n`);
    }
  } else {
    io.stdout(`${output}\n`);
  }
  return 0;
}
