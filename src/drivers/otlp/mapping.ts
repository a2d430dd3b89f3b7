// Maps osprofiler start/stop notification pairs to OTLP spans in the OTLP/HTTP JSON encoding (SPEC §7).
import { createHash } from 'node:crypto';
import { nowUs } from '../../propagation/timestamp.js';
import { uuidHex } from '../../core/ids.js';
import type { Notification, TraceInfo } from '../../core/payload.js';
import { pythonJsonDumps } from '../../propagation/python-json.js';
import { parseTimestampParts } from '../../propagation/timestamp.js';

/** OTLP `Span.SpanKind` values (the JSON encoding uses the integers). */
export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;
/** OTLP `Status.StatusCode.STATUS_CODE_ERROR`. */
export const STATUS_CODE_ERROR = 2;

/** An OTLP `AnyValue` as JSON (int64 as a decimal string, as proto3 JSON encodes it). */
export type OtlpAnyValue =
  { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number };
/** An OTLP `KeyValue`. */
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
/** An OTLP span event. */
export interface OtlpEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpKeyValue[];
}
/** An OTLP span in the JSON encoding: hex ids, times as unix-nano strings, enums as integers. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: OtlpEvent[];
  status?: { code: number; message?: string };
}
/** The body of `POST /v1/traces` (ExportTraceServiceRequest). */
export interface OtlpTraceRequest {
  resourceSpans: {
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
  }[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Python's truthiness of `info.get(key)` for the dicts the mapping branches on. */
function nonEmptyObject(value: unknown): value is Json {
  return isObject(value) && Object.keys(value).length > 0;
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

function hashHex(value: unknown, digits: number): string {
  return createHash('sha256').update(String(value)).digest('hex').slice(0, digits);
}

/**
 * The OTLP trace id of a trace: the base id's 128 bits as 32 hex digits (head's `uuid_to_int128`).
 * why: Python gives a non-uuid base id a random id per span, splitting the trace; a hash keeps
 * every span of the trace together. An all-zero id (invalid in OTLP) is hashed the same way.
 */
export function otlpTraceId(baseId: unknown): string {
  const hex = uuidHex(baseId);
  return hex !== undefined && !/^0+$/.test(hex) ? hex : hashHex(`trace:${String(baseId)}`, 32);
}

/** The OTLP span id of a trace point: the low 64 bits of its uuid (`shorten_id`), 16 hex digits. */
export function otlpSpanId(traceId: unknown): string {
  const low = uuidHex(traceId)?.slice(16);
  return low !== undefined && !/^0+$/.test(low) ? low : hashHex(`span:${String(traceId)}`, 16);
}

/** A point's name without its `-start` / `-stop` suffix (an exact suffix, not Python's character strip). */
export function pointName(notificationName: unknown): string {
  const name = String(notificationName);
  if (name.endsWith('-start')) return name.slice(0, -6);
  if (name.endsWith('-stop')) return name.slice(0, -5);
  return name;
}

/**
 * The span name: `WSGI_<method>_<path>`, `SQL_<first word of the statement, upper case>`,
 * `REQUESTS_<method>_<hostname>`, else the point name. why: Python cuts the name with
 * `rstrip("-start")`, a character-set strip (`heat-start` → `he`); we remove the suffix.
 */
export function otlpSpanName(start: Notification): string {
  const info: TraceInfo = isObject(start.info) ? start.info : {};
  if (nonEmptyObject(info.request)) return `WSGI_${text(info.request.method)}_${text(info.request.path)}`;
  if (nonEmptyObject(info.db)) {
    // why: Python splits on the first space, so a statement starting with a newline gives "SQL_".
    const first = text(info.db.statement).trim().split(/\s+/, 1)[0] ?? '';
    return `SQL_${first.toUpperCase()}`;
  }
  if (nonEmptyObject(info.requests)) return `REQUESTS_${text(info.requests.method)}_${text(info.requests.hostname)}`;
  return pointName(start.name);
}

/**
 * The span kind: SERVER for an incoming request (`info.request`, or `wsgi` in the name), CLIENT
 * for SQL and outgoing HTTP (`info.db`, `info.requests`, or `db`/`http`/`api` in the name, as
 * Python tests), else INTERNAL. why: the info test first keeps a renamed web span a SERVER.
 */
export function otlpSpanKind(start: Notification): number {
  const info: TraceInfo = isObject(start.info) ? start.info : {};
  if (nonEmptyObject(info.request)) return SPAN_KIND.SERVER;
  if (nonEmptyObject(info.db) || nonEmptyObject(info.requests)) return SPAN_KIND.CLIENT;
  const name = String(start.name);
  if (name.includes('wsgi')) return SPAN_KIND.SERVER;
  if (name.includes('db') || name.includes('http') || name.includes('api')) return SPAN_KIND.CLIENT;
  return SPAN_KIND.INTERNAL;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function copyKeys(target: Json, source: Json, keys: readonly string[], prefix: string): void {
  for (const key of keys) if (source[key] !== undefined) target[prefix + key] = source[key];
}

/** Attributes from a start notification's info, in Python's order (db, request, requests, function). */
export function startAttributes(info: unknown): Json {
  const attributes: Json = {};
  if (!isObject(info)) return attributes;
  if (nonEmptyObject(info.db)) {
    if (info.db.statement !== undefined) attributes['db.statement'] = info.db.statement;
    if (info.db.params !== undefined) attributes['db.params'] = safeDumps(info.db.params);
  } else if (nonEmptyObject(info.request)) {
    copyKeys(attributes, info.request, ['path', 'query', 'method', 'scheme'], 'http.');
  } else if (nonEmptyObject(info.requests)) {
    copyKeys(attributes, info.requests, ['path', 'query', 'method', 'scheme', 'hostname', 'port'], 'http.');
  } else if (nonEmptyObject(info.function)) {
    copyKeys(attributes, info.function, ['args', 'kwargs', 'name'], '');
  }
  return attributes;
}

/** Attributes a stop adds: `result` (function's wins over db's), `status_code`, `error`. */
export function stopAttributes(info: unknown): Json {
  const attributes: Json = {};
  if (!isObject(info)) return attributes;
  for (const call of ['db', 'function']) {
    const part = info[call];
    if (isObject(part) && truthy(part.result)) attributes.result = part.result;
  }
  if (nonEmptyObject(info.requests) && info.requests.status_code !== undefined) {
    attributes.status_code = info.requests.status_code;
  }
  if (truthy(info.etype)) attributes.error = true;
  return attributes;
}

function safeDumps(value: unknown): string {
  try {
    return pythonJsonDumps(value);
  } catch {
    return String(value);
  }
}

/** An attribute value as OTLP `AnyValue`; undefined for null/undefined (the SDK drops those too). */
export function toAnyValue(value: unknown): OtlpAnyValue | undefined {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'bigint':
      return { intValue: value.toString() };
    case 'number':
      return Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value };
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return undefined;
  return { stringValue: safeDumps(value) };
}

/** A plain object as an OTLP attribute list (keys in insertion order). */
export function toKeyValues(attributes: Json): OtlpKeyValue[] {
  const list: OtlpKeyValue[] = [];
  for (const [key, raw] of Object.entries(attributes)) {
    const value = toAnyValue(raw);
    if (value !== undefined) list.push({ key, value });
  }
  return list;
}

/**
 * A payload timestamp (`YYYY-MM-DDTHH:MM:SS.ffffff`, UTC) as unix nanoseconds. why: Python's
 * exporter stamps spans with its own clock when it handles them; the payload has the real times
 * (and a batching queue would otherwise stretch or shrink every span). Unparsable: now.
 */
export function toUnixNano(timestamp: unknown): string {
  const parts = parseTimestampParts(timestamp);
  if (parts === undefined) return (BigInt(nowUs()) * 1000n).toString();
  return (BigInt(parts.seconds) * 1_000_000_000n + BigInt(parts.micros) * 1000n).toString();
}

function sameId(a: unknown, b: unknown): boolean {
  const ha = uuidHex(a);
  return ha !== undefined ? ha === uuidHex(b) : a === b;
}

/** Extra marks for pairs that are not whole (`osprofiler.unfinished`, `osprofiler.missing_start`). */
export type SpanFlaw = 'unfinished' | 'missing_start';

/**
 * How spans are named: `otlp` as head's OTLP driver (`WSGI_GET_/path`, `SQL_SELECT`, …), `point`
 * as Python's Jaeger driver (the point name: `wsgi`, `db`).
 */
export type SpanNaming = 'otlp' | 'point';

/**
 * One OTLP span from a start and its stop (matched by trace_id). With no stop the span ends at
 * its start (`unfinished`); with no start it starts at its stop (`missing_start`).
 */
export function mapSpan(
  start: Notification | undefined,
  stop: Notification | undefined,
  flaw?: SpanFlaw,
  naming: SpanNaming = 'otlp',
): OtlpSpan {
  const first = (start ?? stop)!;
  const startNano = toUnixNano(first.timestamp);
  const endNano = stop === undefined ? startNano : toUnixNano(stop.timestamp);
  const attributes: Json = { ...startAttributes(start?.info), ...stopAttributes(stop?.info) };
  if (flaw !== undefined) attributes[`osprofiler.${flaw}`] = true;
  const span: OtlpSpan = {
    traceId: otlpTraceId(first.base_id),
    spanId: otlpSpanId(first.trace_id),
    name: start !== undefined && naming === 'otlp' ? otlpSpanName(start) : pointName(first.name),
    kind: otlpSpanKind(first),
    startTimeUnixNano: startNano,
    endTimeUnixNano: endNano,
    attributes: toKeyValues(attributes),
    events: [],
  };
  // why: since head 4.4.0 a top-level point (parent = base id) is a root span with no parent.
  if (!sameId(first.parent_id, first.base_id)) span.parentSpanId = otlpSpanId(first.parent_id);
  const stopInfo = stop?.info;
  if (isObject(stopInfo) && truthy(stopInfo.etype)) {
    span.events.push({
      timeUnixNano: endNano,
      name: 'log',
      attributes: toKeyValues({ 'error.kind': stopInfo.etype, message: stopInfo.message }),
    });
    // why: Python never sets a status; OTLP backends mark failed spans by STATUS_CODE_ERROR.
    span.status = { code: STATUS_CODE_ERROR, message: text(stopInfo.message) };
  }
  return span;
}

/** `[<prefix>-]<project>-<service>`, leaving out parts that are not set (Python prints "None"). */
export function serviceName(project: unknown, service: unknown, prefix?: unknown): string {
  const parts = [prefix, project, service].filter((p) => typeof p === 'string' && p !== '') as string[];
  return parts.length > 0 ? parts.join('-') : 'osprofiler';
}

/** Wraps spans of one resource and scope into an ExportTraceServiceRequest. */
export function buildTraceRequest(spans: OtlpSpan[], resource: Json, scopeName: string): OtlpTraceRequest {
  return {
    resourceSpans: [
      { resource: { attributes: toKeyValues(resource) }, scopeSpans: [{ scope: { name: scopeName }, spans }] },
    ],
  };
}
