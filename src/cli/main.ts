#!/usr/bin/env node
// The `osprofiler` command: argv → command, help and version, errors → text and exit codes.
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAIN_HELP, MAIN_USAGE, TRACE_HELP, TRACE_USAGE } from './help.js';
import { CliError, EXIT_FAILURE, messageOf, processIo, usageError, type CliIo } from './io.js';
import { traceCompare } from './commands/trace-compare.js';
import { traceList } from './commands/trace-list.js';
import { traceShow } from './commands/trace-show.js';
import { demo } from '../demo/demo.js';
import { ui } from './commands/ui.js';
import { setLogSink } from '../log.js';
import { collect } from './commands/collect.js';

/** This package's version, from the package.json above this file (src/ or dist/src/). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'osprofiler' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here: look one folder up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

async function trace(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'show':
      return traceShow(rest, io);
    case 'list':
      return traceList(rest, io);
    case 'compare':
      return traceCompare(rest, io);
    case '-h':
    case '--help':
      io.stdout(TRACE_HELP);
      return 0;
    case undefined:
      // why: Python fails here too (exit 1); we say what is missing instead of a traceback.
      throw new CliError(
        EXIT_FAILURE,
        `${TRACE_USAGE}\nosprofiler trace: a command is required: list, show or compare\n`,
      );
    default:
      throw usageError(
        TRACE_USAGE,
        `argument {list,show,compare}: invalid choice: '${command}' (choose from 'list', 'show', 'compare')`,
      );
  }
}

/**
 * Runs the CLI with `argv` (without node and the script path) and returns the exit code:
 * 0 on success, 1 on failures (Python's code), 2 on usage errors (argparse's). Writes through
 * `io` (default: the process streams). Never throws.
 * @since 0.1.0
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  // why: a warning of a store read by a command is for the person at the terminal: one plain
  // line, not Node's "(node:PID) [OSP_WARN] OsprofilerWarning: …" process-warning form.
  setLogSink((_level, message) => io.stderr(`${message}\n`));
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'trace':
        return await trace(rest, io);
      case 'demo':
        return await demo(rest, io);
      case 'ui':
        return await ui(rest, io);
      case 'collect':
        return await collect(rest, io);
      case '-h':
      case '--help':
        io.stdout(MAIN_HELP);
        return 0;
      case '-v':
      case '--version':
        io.stdout(`${packageVersion()}\n`);
        return 0;
      case undefined:
        throw new CliError(
          EXIT_FAILURE,
          `${MAIN_USAGE}\nosprofiler: a command is required: trace (see osprofiler --help)\n`,
        );
      default:
        throw usageError(
          MAIN_USAGE,
          `argument {trace,demo,ui,collect}: invalid choice: '${command}' (choose from 'trace', 'demo', 'ui', 'collect')`,
        );
    }
  } catch (error) {
    if (error instanceof CliError) {
      if (error.stdoutText) io.stdout(error.stdoutText);
      if (error.stderrText) io.stderr(error.stderrText);
      return error.exitCode;
    }
    io.stderr(`osprofiler: unexpected error: ${messageOf(error)}\n`);
    if (io.env.NODE_DEBUG?.includes('osprofiler') && error instanceof Error && error.stack)
      io.stderr(`${error.stack}\n`);
    return EXIT_FAILURE;
  } finally {
    setLogSink(undefined);
  }
}

/** True when this file is the program node started (directly or through the npm bin link). */
function invokedAsBin(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedAsBin()) {
  // why: `osprofiler trace list | head` closes the pipe early; that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // why: a driver's sockets (redis, amqp) may keep the loop alive; exit once stdout has drained.
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}
