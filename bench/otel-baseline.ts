// The OpenTelemetry baselines of the HTTP benches: a server span per request, with and without context.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** The two OpenTelemetry variants of a listener, and a way to drain their span queue. */
export interface OtelBaseline {
  /** A server span only: no context manager, no propagation (so no AsyncLocalStorage). */
  spanOnly: Listener;
  /**
   * What our middleware does, the OpenTelemetry way (as @opentelemetry/instrumentation-http does
   * it, minus its metrics and the attributes beyond what our span records): the caller's
   * `traceparent` extracted, a server span started under it, the handler run in that span's
   * context (AsyncLocalStorage), the request's events bound to it, the span ended on finish with
   * the status. The first call registers OpenTelemetry's global context manager and propagator
   * for the process.
   */
  withContext(): Listener;
  forceFlush(): Promise<void>;
}

/** Wraps `handler` both ways, on one tracer with a batching processor and a no-op exporter. */
export function otelBaseline(handler: Listener): OtelBaseline {
  const exporter: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  // why: the same queue bounds and interval as our notifier, so neither side drops to look cheap.
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new BatchSpanProcessor(exporter, { maxQueueSize: 100_000, maxExportBatchSize: 1000, scheduledDelayMillis: 50 }),
    ],
  });
  const tracer = provider.getTracer('bench');
  let registered = false;
  // why: the request fields our wsgi span records (method, path, query, scheme; the status on the
  // stop), under their semantic-convention names, so both sides record the same information.
  const attributes = (req: IncomingMessage): Record<string, string> => {
    const target = req.url ?? '/';
    const mark = target.indexOf('?');
    return {
      'http.request.method': req.method ?? 'GET',
      'url.path': mark === -1 ? target : target.slice(0, mark),
      'url.query': mark === -1 ? '' : target.slice(mark + 1),
      'url.scheme': (req.socket as { encrypted?: boolean } | null)?.encrypted === true ? 'https' : 'http',
    };
  };
  const endOnFinish = (res: ServerResponse, span: ReturnType<typeof tracer.startSpan>): void => {
    res.once('finish', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      span.end();
    });
  };
  return {
    spanOnly: (req, res) => {
      endOnFinish(res, tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: attributes(req) }));
      handler(req, res);
    },
    withContext: () => {
      if (!registered) {
        context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
        propagation.setGlobalPropagator(new W3CTraceContextPropagator());
        registered = true;
      }
      return withContext;
    },
    forceFlush: () => provider.forceFlush(),
  };
  function withContext(req: IncomingMessage, res: ServerResponse): void {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: attributes(req) }, parent);
    const active = trace.setSpan(parent, span);
    context.bind(active, req);
    endOnFinish(res, span);
    context.with(active, () => handler(req, res));
  }
}
