// Trace id prefixes for `trace show`: which arguments are prefixes, and which stored traces they match.
import type { Driver } from '../drivers/driver.js';
import { canonicalUuid, uuidHex } from '../core/ids.js';
import { NotSupportedError } from '../errors.js';
import { CliError, EXIT_FAILURE } from './io.js';
import { plural, storeFailure, type StoreChoice } from './store.js';

/** The fewest hex digits a prefix needs (a shorter one matches too often to be typed on purpose). */
export const MIN_PREFIX_DIGITS = 8;

/**
 * The hex digits of an id prefix (any case, hyphens allowed where a uuid has them or not), or
 * undefined when `arg` is not one: other characters, fewer than 8 digits, or a whole uuid.
 */
export function idPrefixHex(arg: string): string | undefined {
  const text = arg.trim().toLowerCase();
  if (!/^[0-9a-f][0-9a-f-]*$/.test(text)) return undefined;
  const hex = text.replace(/-/g, '');
  return hex.length >= MIN_PREFIX_DIGITS && hex.length < 32 ? hex : undefined;
}

/** A stored trace whose id starts with the prefix. */
export interface PrefixMatch {
  base_id: string;
  timestamp: string;
}

/**
 * The stored traces whose id starts with `hex`, newest first, through the driver's listTraces
 * (whatever it throws, NotSupportedError included, is the caller's to report).
 */
export async function tracesWithPrefix(driver: Driver, hex: string): Promise<PrefixMatch[]> {
  const all = await driver.listTraces(['base_id', 'timestamp']);
  const matches: PrefixMatch[] = [];
  const seen = new Set<string>();
  for (const trace of all) {
    const id = canonicalUuid(trace.base_id);
    // why: a store may hold one trace under two spellings of its id; list it once.
    if (id === undefined || !uuidHex(id)!.startsWith(hex) || seen.has(id)) continue;
    seen.add(id);
    // why: getReport is asked with the id as the store spells it.
    matches.push({
      base_id: String(trace.base_id),
      timestamp: typeof trace.timestamp === 'string' ? trace.timestamp : '',
    });
  }
  return matches.sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0));
}

/**
 * The one stored trace id that starts with the prefix `hex` (typed as `arg`). A CliError when
 * several do (listing them), when none does (`notFound(lead)`), or when the store cannot list.
 */
export async function resolvePrefix(
  arg: string,
  hex: string,
  choice: StoreChoice,
  driver: Driver,
  notFound: (lead: string) => Promise<CliError>,
): Promise<string> {
  let matches;
  try {
    matches = await tracesWithPrefix(driver, hex);
  } catch (error) {
    if (error instanceof NotSupportedError)
      throw new CliError(
        EXIT_FAILURE,
        `osprofiler: ${choice.description} cannot list its traces, so the id prefix ${arg} cannot be resolved; give the whole trace id.\n`,
      );
    throw storeFailure(choice, error);
  }
  if (matches.length === 0) throw await notFound(`No stored trace id starts with ${arg}.`);
  if (matches.length > 1) {
    const shown = matches.slice(0, 20).map((m) => `  ${m.base_id}  ${m.timestamp}`);
    if (matches.length > shown.length) shown.push(`  … and ${matches.length - shown.length} more`);
    throw new CliError(
      EXIT_FAILURE,
      `osprofiler: the id prefix ${arg} is ambiguous: ${plural(matches.length, 'stored trace')} start with it:\n` +
        `${shown.join('\n')}\nGive more digits of the id.\n`,
    );
  }
  return matches[0].base_id;
}
