// What CLI commands talk to (streams, environment) and the error type that carries an exit code.

/** The process surface a command uses; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** Folder that relative file names are read from and written to. */
  cwd: string;
  /** True when stdout is a terminal (colour by default). */
  stdoutIsTTY: boolean;
}

/** The real process streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: process.stdout.isTTY === true,
  };
}

/** Exit codes: 1 for failures (as the Python CLI), 2 for command-line usage errors (as argparse). */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * A failure the CLI reports as text and an exit code instead of a stack trace. `stdout` holds
 * the Python CLI's own sentences (which it prints on stdout); `stderr` everything else.
 */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    readonly stderrText: string,
    readonly stdoutText = '',
  ) {
    super(stderrText || stdoutText);
  }
}

/** A usage error: `<usage>\nosprofiler: error: <message>` on stderr, exit 2 (argparse's form). */
export function usageError(usage: string, message: string): CliError {
  return new CliError(EXIT_USAGE, `${usage}\nosprofiler: error: ${message}\n`);
}

/** The Python CLI's message when no connection string is given (printed on stdout, exit 1). */
export const MISSING_CONNECTION_STRING =
  'You must provide connection string via either --connection-string or via env[OSPROFILER_CONNECTION_STRING]';

/** The Python CLI's sentence for an unknown trace id (printed on stdout, exit 1). */
export function traceNotFoundSentence(id: string): string {
  return `Trace with UUID ${id} not found. Please check the HMAC key used in the command.`;
}

/**
 * Whether to colour terminal output: `--no-color` / `--color` first, then NO_COLOR (any
 * non-empty value, no-color.org), FORCE_COLOR (non-"0"), then whether stdout is a terminal.
 */
export function wantColor(io: CliIo, flags: { color?: boolean; noColor?: boolean; toFile?: boolean }): boolean {
  if (flags.noColor) return false;
  if (flags.color) return true;
  if (flags.toFile) return false;
  const noColor = io.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return io.stdoutIsTTY && io.env.TERM !== 'dumb';
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
