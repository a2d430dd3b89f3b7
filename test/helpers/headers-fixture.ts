// The shape of fixtures/headers.json (Python's osprofiler.web behaviour), read by the header and web-server interop tests.
import type { Notification } from '../../src/core/payload.js';
import { loadFixture } from './fixtures.js';

/** What getTraceIdHeaders does in Python after `init` and the given starts and stops. */
export interface ClientCase {
  why: string;
  init: {
    hmac_key: string | null;
    base_id?: string;
    parent_id?: string;
  } | null;
  starts: number;
  stops: number;
  ids_generated: string[];
  profiler_state: { base_id: string; parent_id: string; id: string } | null;
  headers: Record<string, string>;
  decoded_info?: Record<string, string>;
}

/** One request through Python's WsgiMiddleware, and what it traced. */
export interface ServerCase {
  why: string;
  request: {
    method: string;
    scheme: 'http' | 'https';
    path: string;
    query: string;
    headers: Record<string, string>;
    raw_environ?: Record<string, string>;
  };
  middleware: { hmac_keys: string; enabled: boolean };
  web_enable: string | null;
  web_disable: boolean;
  traced: boolean;
  port_traced?: boolean;
  base_id: string | null;
  parent_id: string | null;
  info: Record<string, unknown> | null;
  app_saw_profiler: Record<string, string> | null;
  profiler_after_request: boolean;
  response_status: number | null;
  ids_generated: string[];
  notifications: Notification[];
  raises?: string;
}

export interface HeadersFixture {
  header_names: { info: string; hmac: string };
  client: ClientCase[];
  server: ServerCase[];
}

export const loadHeadersFixture = (): HeadersFixture => loadFixture<HeadersFixture>('headers.json');

/** A server case's request headers as sent: WSGI environ names (`HTTP_X_TRACE_INFO`) turned back into header names. */
export function requestHeaders(request: ServerCase['request']): Record<string, string> {
  const headers = { ...request.headers };
  for (const [name, value] of Object.entries(request.raw_environ ?? {})) {
    if (name.startsWith('HTTP_')) headers[name.slice(5).replace(/_/g, '-').toLowerCase()] = value;
  }
  return headers;
}
