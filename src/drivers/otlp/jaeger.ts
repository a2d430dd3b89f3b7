// jaeger:// — Python's retired Jaeger driver, done as OTLP/HTTP to Jaeger's own OTLP receiver; write-only.
import { logRateLimited } from '../../log.js';
import { OtlpDriver, otlpEndpoint, type OtlpDriverOptions, type OtlpSend } from './driver.js';

/** Jaeger's OTLP/HTTP port. */
export const JAEGER_OTLP_HTTP_PORT = '4318';

// why: Python's jaeger:// named the agent's UDP port (6831); Jaeger's other ports speak protocols
// we do not (Thrift, gRPC, the UI). Pointing there would fail silently, so they map to 4318.
const NON_OTLP_HTTP_PORTS = new Set(['5775', '6831', '6832', '5778', '14250', '14268', '16686', '4317']);

/**
 * The OTLP/HTTP URL of a jaeger:// connection string: `jaeger://host[:port][/prefix]` →
 * `http://host:port[/prefix]/v1/traces`. No port, or one of Jaeger's non-OTLP/HTTP ports (agent
 * 6831/6832, collector 14250/14268, UI 16686, OTLP/gRPC 4317), becomes 4318. `jaeger+https://` → https.
 * @since 0.1.0
 */
export function jaegerEndpoint(connectionString: string): { endpoint: string; remappedFrom?: string } {
  const port = /^[^:]+:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d+)/.exec(connectionString.trim())?.[1];
  if (port !== undefined && NON_OTLP_HTTP_PORTS.has(port)) {
    const rewritten = connectionString.trim().replace(`:${port}`, `:${JAEGER_OTLP_HTTP_PORT}`);
    return { endpoint: otlpEndpoint(rewritten, JAEGER_OTLP_HTTP_PORT), remappedFrom: port };
  }
  return { endpoint: otlpEndpoint(connectionString, JAEGER_OTLP_HTTP_PORT) };
}

/**
 * Sends spans to Jaeger (≥ 1.35, or v2) through its OTLP/HTTP receiver, with the OTLP mapping
 * (128-bit trace ids, the payload timestamps, stops matched by trace_id) but the operation
 * names of Python's Jaeger driver (the point name, without its `-start` suffix). Python's driver used
 * the retired jaeger-client over UDP with 64-bit trace ids; `[profiler_jaeger] process_tags`
 * become resource attributes and `service_name_prefix` prefixes service.name as before.
 * @since 0.1.0
 */
export class JaegerDriver extends OtlpDriver {
  constructor(endpoint: string, options: OtlpDriverOptions = {}, send?: OtlpSend) {
    const uiBase = jaegerUiBase(endpoint);
    super(endpoint, options, send, {
      scheme: 'jaeger',
      scopeName: 'osprofiler.drivers.jaeger',
      resource: { ...(options.processTags ?? {}) },
      receiver: 'Jaeger OTLP receiver',
      viewerHint: (traceId) => `open ${uiBase}/trace/${traceId} in the Jaeger UI`,
      // why: Jaeger users search by the operation names Python's Jaeger driver gave (`wsgi`, `db`)
      naming: 'point',
    });
  }
}

function jaegerUiBase(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.hostname}:16686`; // an IPv6 hostname keeps its brackets
  } catch {
    return 'http://<jaeger-host>:16686';
  }
}

/** The jaeger:// factory (registered in builtin.ts); `send` replaces fetch in tests. */
export function createJaegerDriver(
  connectionString: string,
  options: OtlpDriverOptions = {},
  send?: OtlpSend,
): JaegerDriver {
  const { endpoint, remappedFrom } = jaegerEndpoint(connectionString);
  if (remappedFrom !== undefined) {
    logRateLimited(
      'warn',
      `jaeger-port:${endpoint}`,
      `osprofiler: jaeger:// port ${remappedFrom} does not accept OTLP/HTTP; sending to ${endpoint} (Jaeger's OTLP/HTTP receiver) instead.`,
    );
  }
  return new JaegerDriver(endpoint, options, send);
}
