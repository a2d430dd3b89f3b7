// startTrace: run one client operation as a new trace (the `--os-profile KEY` pattern for scripts).
import { runInProfiler } from '../../core/context.js';
import { flush } from '../../notifier/lifecycle.js';
import { Profiler } from '../../core/profiler.js';

/** What startTrace() resolves to. @since 0.1.0 */
export interface StartTraceResult<R> {
  /** What `fn` returned (awaited). */
  result: R;
  /** The new trace's id (its base_id). */
  traceId: string;
  /** The command that renders the trace: `osprofiler trace show <id> --html --out trace.html`. */
  showCommand: string;
}

/**
 * Runs `fn` as the client side of a new trace: a fresh profiler signed with `hmacKey`, in a new
 * async context (whatever trace the caller is in is left alone). With traceRequests() on, the
 * services `fn` calls over HTTP join the trace. `fn` receives the trace id (so it can be printed
 * even when `fn` fails). Resolves once `fn` has settled and the notifiers were flushed; an error
 * from `fn` propagates unchanged.
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
  const traceId = profiler.getBaseId();
  try {
    const result = await runInProfiler(profiler, () => fn(traceId));
    return { result, traceId, showCommand: showCommandFor(traceId) };
  } finally {
    // why: a script usually exits right after; its spans must be stored before it prints the command.
    await flush();
  }
}

/** `osprofiler trace show <id> --html --out trace.html`. @since 0.1.0 */
export function showCommandFor(traceId: string): string {
  return `osprofiler trace show ${traceId} --html --out trace.html`;
}
