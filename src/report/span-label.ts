// Reads a report node's human-facing facts (operation, type, service, detail line, error): one labelling for the terminal, the HTML viewer and trace compare.
import type { ReportNode } from './types.js';

const RAW_PREFIX = 'meta.raw_payload.';

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The stored start and stop payloads of a node (either may be missing). */
export interface SpanPayloads {
  start?: Obj;
  stop?: Obj;
}

/** The `meta.raw_payload.*` values of a node: the one whose name ends in "stop" is the stop. */
export function spanPayloads(info: Obj): SpanPayloads {
  const out: SpanPayloads = {};
  for (const key of Object.keys(info)) {
    if (!key.startsWith(RAW_PREFIX)) continue;
    const value = info[key];
    if (!isObject(value)) continue;
    if (key.endsWith('stop')) out.stop ??= value;
    else out.start ??= value;
  }
  return out;
}

/** The `info` object of a payload, or an empty one. */
export function payloadInfo(payload: Obj | undefined): Obj {
  return payload !== undefined && isObject(payload.info) ? payload.info : {};
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** `<project>-<service>` (either part alone when the other is missing). */
export function spanService(info: Obj): string {
  const project = text(info.project);
  const service = text(info.service);
  return project && service ? `${project}-${service}` : project || service;
}

/**
 * One line saying what the point did, from its start payload's info: `GET /path?query` (wsgi),
 * `GET https://host:port/path` (outgoing HTTP), the SQL statement (db), the function name
 * (traced functions). Whitespace runs become one space; undefined when nothing is known.
 */
export function spanDetail(info: Obj): string | undefined {
  const { start, stop } = spanPayloads(info);
  const startInfo = payloadInfo(start);
  let detail = '';
  const request = startInfo.request;
  const requests = startInfo.requests;
  const db = startInfo.db;
  const fn = startInfo.function;
  if (isObject(request)) {
    const query = text(request.query);
    detail = `${text(request.method)} ${text(request.path)}${query ? `?${query}` : ''}`;
  } else if (isObject(requests)) {
    const port = text(requests.port);
    const host = text(requests.hostname);
    const origin = host ? `${text(requests.scheme) || 'http'}://${host}${port ? `:${port}` : ''}` : '';
    const query = text(requests.query);
    const status = isObject(payloadInfo(stop).requests) ? text((payloadInfo(stop).requests as Obj).status_code) : '';
    detail = `${text(requests.method)} ${origin}${text(requests.path)}${query ? `?${query}` : ''}${status ? ` → ${status}` : ''}`;
  } else if (isObject(db)) {
    detail = text(db.statement);
  } else if (isObject(fn)) {
    detail = text(fn.name);
  }
  detail = detail.replace(/\s+/g, ' ').trim();
  return detail === '' ? undefined : detail;
}

/** Longest operation label made from a SQL statement, in characters (the detail keeps all of it). */
const MAX_STATEMENT_LABEL = 60;
/** Words of a SQL statement an operation label keeps at most. */
const MAX_STATEMENT_WORDS = 8;

function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** The first words of a SQL statement, cut on a word boundary with "…" (at most 60 characters). */
export function statementHead(statement: string): string {
  const words = oneLine(statement).split(' ');
  let out = '';
  let cut = false;
  for (let i = 0; i < words.length; i++) {
    const next = out === '' ? words[i] : `${out} ${words[i]}`;
    if (i >= MAX_STATEMENT_WORDS || next.length > MAX_STATEMENT_LABEL) {
      cut = true;
      break;
    }
    out = next;
  }
  // why: a single word longer than the limit (a huge identifier) is still cut, never dropped.
  if (out === '' && words[0])
    return `${Array.from(words[0])
      .slice(0, MAX_STATEMENT_LABEL - 1)
      .join('')}…`;
  return cut ? `${out} …` : out;
}

/**
 * The operation a point performed, as a row names it: `GET /servers` (wsgi: method and path),
 * `GET glance:9292/v2/images` (HTTP client: method, host and path), the first words of the SQL
 * statement (db), the function name (`compute.Manager.list`: rpc and traced functions), else the
 * point's name. Whitespace runs become one space. Never empty for a named point.
 */
export function spanOperation(info: Obj): string {
  const startInfo = payloadInfo(spanPayloads(info).start);
  const request = startInfo.request;
  const requests = startInfo.requests;
  const db = startInfo.db;
  const fn = startInfo.function;
  let op = '';
  if (isObject(request)) {
    op = `${text(request.method)} ${text(request.path)}`;
  } else if (isObject(requests)) {
    const port = text(requests.port);
    op = `${text(requests.method)} ${text(requests.hostname)}${port ? `:${port}` : ''}${text(requests.path)}`;
  } else if (isObject(db)) {
    op = statementHead(text(db.statement));
  } else if (isObject(fn)) {
    op = text(fn.name);
  }
  op = oneLine(op);
  return op !== '' ? op : text(info.name) || '?';
}

/** Everything a row shows about a point. */
export interface SpanLabel {
  /** The point's name: `wsgi`, `db`, `rpc`, … */
  type: string;
  /** See {@link spanOperation}. */
  operation: string;
  /** See {@link spanService} ('' when unknown). */
  service: string;
  /** See {@link spanDetail}. */
  detail: string | undefined;
  /** See {@link spanError}. */
  error: { etype: string; message: string } | undefined;
}

/** The type, operation, service, detail and error of a point in one call. */
export function spanLabel(info: Obj): SpanLabel {
  return {
    type: text(info.name) || '?',
    operation: spanOperation(info),
    service: spanService(info),
    detail: spanDetail(info),
    error: spanError(info),
  };
}

/** The error of a point (`exception` other than "None"/null) with the stop's message, or undefined. */
export function spanError(info: Obj): { etype: string; message: string } | undefined {
  const exception = info.exception;
  if (exception === undefined || exception === null || exception === 'None') return undefined;
  const stopInfo = payloadInfo(spanPayloads(info).stop);
  return { etype: text(exception), message: text(stopInfo.message) };
}

/**
 * Calls `visit` for every node in pre-order. `lastFlags[d]` tells whether the node's ancestor at
 * depth d (the node itself at its own depth) is the last of its siblings; the array is reused, so
 * read it during the call. Iterative (any depth); a node met again on its own path is skipped.
 */
export function walkReport(
  roots: readonly ReportNode[],
  visit: (node: ReportNode, depth: number, lastFlags: readonly boolean[]) => void,
): void {
  const stack: { nodes: readonly ReportNode[]; index: number; owner?: ReportNode }[] = [{ nodes: roots, index: 0 }];
  const lastFlags: boolean[] = [];
  const onPath = new Set<ReportNode>();
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.index >= frame.nodes.length) {
      stack.pop();
      if (frame.owner !== undefined) {
        lastFlags.pop();
        onPath.delete(frame.owner);
      }
      continue;
    }
    const node = frame.nodes[frame.index++];
    // why: hand-made reports (trace show <file>) may hold non-objects or cycles.
    if (!isObject(node) || onPath.has(node)) continue;
    lastFlags.push(frame.index === frame.nodes.length);
    visit(node, lastFlags.length - 1, lastFlags);
    onPath.add(node);
    stack.push({ nodes: Array.isArray(node.children) ? node.children : [], index: 0, owner: node });
  }
}
