// Parses a command's arguments the way every `osprofiler` command does: strictly, with --help.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { messageOf, usageError, type CliIo } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The options of every command that opens a store for reading. */
export const READ_STORE_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  'connection-string': { type: 'string' },
  'transport-url': { type: 'string' },
  'idle-timeout': { type: 'string' },
} as const;

/** How a command is called: its options, whether it takes positionals, its usage and help text. */
export interface CommandSpec<T extends Options, P extends boolean> {
  options: T;
  positionals: P;
  usage: string;
  help: string;
}

type Parsed<T extends Options, P extends boolean> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: P; strict: true }>
>;

/**
 * The parsed arguments, or undefined once `--help` has been printed (the command then exits 0).
 * A bad argument is a usage error (exit 2), worded as Python's argparse words it.
 */
export function parseCommand<T extends Options, P extends boolean>(
  argv: readonly string[],
  spec: CommandSpec<T, P>,
  io: CliIo,
): Parsed<T, P> | undefined {
  let parsed: Parsed<T, P>;
  try {
    parsed = parseArgs({ args: [...argv], options: spec.options, allowPositionals: spec.positionals, strict: true });
  } catch (error) {
    throw usageError(spec.usage, messageOf(error));
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    io.stdout(spec.help);
    return undefined;
  }
  return parsed;
}
