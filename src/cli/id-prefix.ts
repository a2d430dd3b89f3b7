// Trace id prefixes for `trace show`: a unique prefix of >= 8 hex digits becomes the whole id, through the store's list.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DriverOptions, TraceReader } from '../drivers/driver.js';
import { canonicalUuid, uuidHex } from '../core/ids.js';
import { NotSupportedError } from '../errors.js';
import { CliError, EXIT_FAILURE, traceNotFoundSentence, type CliIo } from './io.js';
import { chooseStore, openStore, plural, storeFailure, type StoreChoice } from './store.js';

/** The fewest hex digits a prefix needs (a shorter one matches too often to be typed on purpose). */
export const MIN_PREFIX_DIGITS = 8;

/** Candidates listed when a prefix is ambiguous. */
const MAX_LISTED = 20;

/**
 * The hex digits of an id prefix (any case, hyphens allowed), or undefined when `arg` is not one:
 * other characters, fewer than 8 digits, or a whole uuid.
 */
export function idPrefixHex(arg: string): string | undefined {
  const text = arg.trim().toLowerCase();
  if (!/^[0-9a-f][0-9a-f-]*$/.test(text)) return undefined;
  const hex = text.replace(/-/g, '');
  return hex.length >= MIN_PREFIX_DIGITS && hex.length < 32 ? hex : undefined;
}

/** A stored trace whose id starts with the prefix. */
export interface PrefixMatch {
  /** The canonical (lower-case, hyphenated) id. */
  base_id: string;
  timestamp: string;
}

/**
 * The stored traces whose id starts with `hex`, newest first, through the store's listTraces
 * (whatever it throws, NotSupportedError included, is the caller's to report).
 */
export async function tracesWithPrefix(reader: TraceReader, hex: string): Promise<PrefixMatch[]> {
  const all = await reader.listTraces(['base_id', 'timestamp']);
  const matches = new Map<string, PrefixMatch>();
  for (const trace of all) {
    const id = canonicalUuid(trace.base_id);
    // why: a store may hold one trace under two spellings of its id; list it once.
    if (id === undefined || !uuidHex(id)!.startsWith(hex) || matches.has(id)) continue;
    matches.set(id, { base_id: id, timestamp: typeof trace.timestamp === 'string' ? trace.timestamp : '' });
  }
  return [...matches.values()].sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0));
}

/** Python's not-found sentence on stdout, and on stderr why the prefix found nothing. */
function noMatch(arg: string, choice: StoreChoice, detail: string): CliError {
  return new CliError(
    EXIT_FAILURE,
    `No stored trace id starts with ${arg}. Store read: ${choice.description} — ${detail}.\n` +
      'Check the trace id, and that the services write to this store (their [profiler] connection_string or OSPROFILER_CONNECTION_STRING).\n',
    `${traceNotFoundSentence(arg)}\n`,
  );
}

/**
 * The `trace show` argument with an id prefix replaced by the one stored trace id it starts.
 * A whole id, or the name of an existing file, is returned unchanged without opening the store
 * (so stores that cannot list, such as messaging://, still read whole ids); so is anything that
 * is not hex (a file name). A CliError (exit 1) when no trace or several traces match (listing
 * them), when the store cannot list its traces, or for a hex argument under 8 digits.
 * @since 0.1.0
 */
export async function resolveTraceArgument(
  arg: string,
  connectionOption: string | undefined,
  driverOptions: DriverOptions,
  io: CliIo,
): Promise<string> {
  if (canonicalUuid(arg) !== undefined || existsSync(resolve(io.cwd, arg))) return arg;
  const hex = idPrefixHex(arg);
  if (hex === undefined) {
    if (/^[0-9a-f-]*[0-9a-f][0-9a-f-]*$/i.test(arg.trim()))
      throw new CliError(
        EXIT_FAILURE,
        `osprofiler: ${arg} is neither a file nor a trace id; an id prefix needs ${MIN_PREFIX_DIGITS} or more hex digits.\n`,
      );
    return arg;
  }
  const choice = chooseStore(connectionOption, io);
  const store = await openStore(choice, driverOptions);
  if (store.kind === 'missing') throw noMatch(arg, choice, 'that file does not exist yet');
  const { driver, reader } = store;
  try {
    let matches: PrefixMatch[];
    try {
      matches = await tracesWithPrefix(reader, hex);
    } catch (error) {
      if (error instanceof NotSupportedError)
        throw new CliError(
          EXIT_FAILURE,
          `osprofiler: ${choice.description} cannot list its traces, so the id prefix ${arg} cannot be resolved; give the whole trace id.\n`,
        );
      throw storeFailure(choice, error);
    }
    if (matches.length === 0) {
      const count = (await reader.listTraces(['base_id']).catch(() => undefined))?.length;
      throw noMatch(arg, choice, count === undefined ? 'reachable' : `it holds ${plural(count, 'trace')}`);
    }
    if (matches.length > 1) {
      const shown = matches.slice(0, MAX_LISTED).map((m) => `  ${m.base_id}  ${m.timestamp}`);
      if (matches.length > shown.length) shown.push(`  … and ${matches.length - shown.length} more`);
      throw new CliError(
        EXIT_FAILURE,
        `osprofiler: the id prefix ${arg} is ambiguous: ${plural(matches.length, 'stored trace')} start with it:\n` +
          `${shown.join('\n')}\nGive more digits of the id.\n`,
      );
    }
    return matches[0].base_id;
  } finally {
    try {
      await driver.close();
    } catch {
      // closing a read-only connection cannot lose data
    }
  }
}
