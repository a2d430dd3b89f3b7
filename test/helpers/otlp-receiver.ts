// A minimal OTLP/HTTP JSON receiver on port 0 that records and decodes what a driver sends.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { serveLocal, type LocalServer } from './http.js';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: any;
}

/** A decoded span: attributes as a plain object, ids and times as sent. */
export interface DecodedSpan {
  resource: Record<string, unknown>;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  events: { name: string; timeUnixNano: string; attributes: Record<string, unknown> }[];
  status: any;
}

/** OTLP AnyValue → JS value (intValue strings become numbers). */
export function anyValue(value: any): unknown {
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  throw new Error(`unexpected AnyValue ${JSON.stringify(value)}`);
}

export function attributesOf(list: any[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

/** Every span of an ExportTraceServiceRequest, flattened. */
export function decodeSpans(body: any): DecodedSpan[] {
  const spans: DecodedSpan[] = [];
  for (const rs of body.resourceSpans) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        spans.push({
          resource,
          scope: ss.scope?.name,
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId,
          name: s.name,
          kind: s.kind,
          startTimeUnixNano: s.startTimeUnixNano,
          endTimeUnixNano: s.endTimeUnixNano,
          attributes: attributesOf(s.attributes),
          events: (s.events ?? []).map((e: any) => ({
            name: e.name,
            timeUnixNano: e.timeUnixNano,
            attributes: attributesOf(e.attributes),
          })),
          status: s.status,
        });
      }
    }
  }
  return spans;
}

export interface OtlpReceiver extends LocalServer {
  requests: ReceivedRequest[];
  /** Status codes to answer with, in order (then 200). */
  statuses: number[];
  spans(): DecodedSpan[];
}

/** Starts the receiver; `POST /v1/traces` (or any path) is recorded and answered `{}`. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const statuses: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = statuses.shift() ?? 200;
      if (status === 200)
        requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: JSON.parse(text) });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '{}' : '{"message":"try later"}');
    });
  });
  return {
    ...(await serveLocal(server)),
    requests,
    statuses,
    spans: () => requests.flatMap((r) => decodeSpans(r.body)),
  };
}
