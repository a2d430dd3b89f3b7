// startTrace: run one client operation as a new trace (the `--os-profile KEY` pattern for scripts).
import { runInProfiler } from '../../core/context.js';
import { kScope, Profiler } from '../../core/profiler.js';
import { redactConnectionString } from '../../drivers/driver.js';
import { defaultConnectionString } from '../../drivers/sqlite/default-location.js';
import { basename, extname } from 'node:path';
import { createNotifier } from '../../notifier/create.js';
import { flush } from '../../notifier/lifecycle.js';
import { getNotifier, noopNotifier } from '../../notifier/notifier.js';
import { holdRequestTracing } from './trace-requests.js';

/** What startTrace() resolves to. @since 0.1.0 */
export interface StartTraceResult<R> {
  /** What `fn` returned (awaited). */
  result: R;
  /** The new trace's id (its base_id). */
  traceId: string;
  /**
   * The command that renders the trace: `npx osprofiler trace show <id> --html --out trace.html`,
   * with `--connection-string …` (password redacted) when the notifier writes elsewhere than the
   * default store.
   */
  showCommand: string;
}

/**
 * Runs `fn` as the client side of a new trace: a fresh profiler signed with `hmacKey`, in a new
 * async context (whatever trace the caller is in is left alone). Outgoing HTTP that `fn` makes
 * (global fetch/undici, node:http/https) carries the signed trace headers, so the services it
 * calls join the trace, whether or not traceRequests() is on; this holds for `fn`'s trace only,
 * never for other code running meanwhile, and ends when `fn` settles. (On Node before 22.12, a
 * node:http request needs the global agent or a TracingAgent to carry headers.) `fn` receives the
 * trace id (so it can be printed even when `fn` fails). With no notifier set (setNotifier,
 * initFromConf), this trace's own spans go to the default store, where services with no
 * connection string write too. Resolves once `fn` has settled and the notifiers were flushed; an
 * error from `fn` propagates unchanged.
 *
 * @example
 *   const { result, showCommand } = await startTrace(process.env.OS_PROFILE!, () => fetch(url));
 *   console.error(`To display the trace: ${showCommand}`);
 * @since 0.1.0
 */
export async function startTrace<R>(
  hmacKey: string,
  fn: (traceId: string) => R | PromiseLike<R>,
): Promise<StartTraceResult<Awaited<R>>> {
  const profiler = new Profiler(hmacKey);
  // why: a flag on this trace's shared scope, not a global switch: requests of other traces
  // running at the same time are left alone, and nothing stays on once fn has settled.
  profiler[kScope].traceRequests = true;
  if (getNotifier() === noopNotifier()) {
    // why: a script that set no notifier still asked for a trace; its own spans (the root `http`
    // span) go to the default store, where services configured with no connection string write
    // too, so the printed command shows the whole trace. Only this trace's spans go there: the
    // process-wide notifier is left as it is.
    profiler[kScope].sink = createNotifier(defaultConnectionString(), { service: scriptName() });
  }
  const traceId = profiler.getBaseId();
  const release = holdRequestTracing();
  try {
    const result = await runInProfiler(profiler, () => fn(traceId));
    return { result, traceId, showCommand: showCommandFor(traceId) };
  } finally {
    release();
    // why: a script usually exits right after; its spans must be stored before it prints the command.
    await flush();
  }
}

// why: characters a POSIX shell reads literally; anything else gets single quotes.
const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * `npx osprofiler trace show <id> --html --out trace.html`, plus `--connection-string <store>`
 * (password redacted) when the store is not the default one. `connectionString` defaults to the
 * current notifier's. why `npx`: on an OpenStack host a bare `osprofiler` is the Python CLI.
 * @since 0.1.0
 */
export function showCommandFor(traceId: string, connectionString: string | undefined = notifierStore()): string {
  const command = `npx osprofiler trace show ${traceId} --html --out trace.html`;
  if (connectionString === undefined || connectionString === defaultConnectionString()) return command;
  const redacted = redactConnectionString(connectionString);
  const quoted = SHELL_SAFE.test(redacted) ? redacted : `'${redacted.replace(/'/g, `'\\''`)}'`;
  return `${command} --connection-string ${quoted}`;
}

/** The running script's name without its extension (`cart-cli`), stored as the spans' service. */
function scriptName(): string {
  const script = process.argv[1];
  return script === undefined || script === '' ? 'node' : basename(script, extname(script));
}

/** The (redacted) connection string of the current notifier, when it is one of createNotifier's. */
function notifierStore(): string | undefined {
  const store = (getNotifier() as { connectionString?: unknown }).connectionString;
  return typeof store === 'string' ? store : undefined;
}
