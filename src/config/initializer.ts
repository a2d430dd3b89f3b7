// initFromConf: one call that turns a service's [profiler] configuration into working tracing.
import { defaultConnectionString } from '../drivers/sqlite/default-location.js';
import { createNotifier, type Notifier, type NotifierOptions } from '../notifier/create.js';
import { setNotifier } from '../notifier/notifier.js';
import { defaultConf, getGlobalConf, setGlobalConf, type ProfilerConf } from './conf.js';
import { disableWebTrace, enableWebTrace } from './web-trace.js';

/** Who is writing: stored with every notification (Python's context/project/service/host). */
export interface InitFromConfOptions extends NotifierOptions {
  /** Python passes the request context; kept for signature parity, unused. */
  context?: unknown;
}

/**
 * Creates the notifier from `connection_string` (the embedded SQLite store when unset), sets it,
 * enables web tracing with the configured keys and, with `trace_requests`, outgoing-HTTP tracing.
 * With `enabled: false` it turns web tracing off and leaves the notifier alone (Python services
 * call init_from_conf only when enabled). `conf` defaults to the process-wide conf (loadConf()).
 * Throws ConfigError / BadConnectionStringError on bad configuration.
 * @since 0.1.0
 */
export async function initFromConf(
  conf: Partial<ProfilerConf> = getGlobalConf(),
  options: InitFromConfOptions = {},
): Promise<Notifier | undefined> {
  const full: ProfilerConf = { ...defaultConf(), ...conf };
  setGlobalConf(full);
  if (!full.enabled) {
    disableWebTrace();
    return undefined;
  }
  const { context: _context, ...rest } = options;
  const notifier = createNotifier(full.connectionString ?? defaultConnectionString(), {
    filterErrorTrace: full.filterErrorTrace,
    socketTimeoutMs: full.socketTimeout * 1000,
    sentinelServiceName: full.sentinelServiceName,
    esScrollTime: full.esScrollTime,
    esScrollSize: full.esScrollSize,
    esDocType: full.esDocType,
    serviceNamePrefix: full.otlpServiceNamePrefix ?? full.jaegerServiceNamePrefix,
    processTags: full.jaegerProcessTags,
    ...rest,
  });
  setNotifier(notifier);
  enableWebTrace(full.hmacKeys);
  if (full.traceRequests) {
    // why: loaded on demand so services that never trace outgoing HTTP never load the hooks.
    const { traceRequests } = await import('../instrumentation/http-client/trace-requests.js');
    traceRequests();
  }
  return notifier;
}
