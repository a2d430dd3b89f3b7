// The demo's small HTTP APIs: routing behind osprofiler's middleware, JSON, token checks and calls to other services.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { wrapListener } from '../web.js';
import { RequestContext } from './request-context.js';

/** One parsed request. */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The route pattern's captures. */
  params: string[];
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** What a handler answers. */
export interface ApiResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A route: method, path pattern, handler. */
export type Route = [string, RegExp, (request: ApiRequest) => Promise<ApiResponse> | ApiResponse];

/** An answer other than 2xx, thrown by handlers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 64 * 1024;

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
    chunks.push(chunk);
  }
  if (size === 0) return {};
  const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new HttpError(400, 'expected a JSON object');
  return value as Record<string, unknown>;
}

async function dispatch(routes: readonly Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  let response: ApiResponse;
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    let found: ApiResponse | Promise<ApiResponse> | undefined;
    for (const [routeMethod, pattern, handler] of routes) {
      const match = routeMethod === method ? pattern.exec(url.pathname) : null;
      if (match === null) continue;
      const body = method === 'GET' ? {} : await readBody(req);
      found = handler({
        method,
        path: url.pathname,
        query: url.searchParams,
        params: match.slice(1),
        headers: req.headers,
        body,
      });
      break;
    }
    if (found === undefined) throw new HttpError(404, `no route for ${method} ${url.pathname}`);
    response = await found;
  } catch (error) {
    const status = error instanceof HttpError ? error.status : error instanceof SyntaxError ? 400 : 500;
    response = {
      status,
      body: { error: { code: status, message: error instanceof Error ? error.message : String(error) } },
    };
  }
  res.writeHead(response.status ?? 200, { 'content-type': 'application/json', ...response.headers });
  res.end(JSON.stringify(response.body ?? {}));
}

/**
 * Starts an API on 127.0.0.1 (a free port) behind osprofiler's middleware: a request signed with
 * one of the service's keys runs in its trace inside a `wsgi` span, as Python services mount
 * `osprofiler.web.WsgiMiddleware` in their paste pipeline. Resolves with the port.
 */
export function startApi(routes: readonly Route[]): Promise<number> {
  const server = createServer(
    wrapListener((req, res) => {
      void dispatch(routes, req, res);
    }),
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

/** The value of a request header (first one when repeated). */
export function header(request: ApiRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The token a request presents (`X-Auth-Token`), or a 401. */
export function requireToken(request: ApiRequest): string {
  const token = header(request, 'x-auth-token');
  if (token === undefined || token === '') throw new HttpError(401, 'authentication required');
  return token;
}

/**
 * Calls another service's API with the user's token. With `traceRequests` on (initFromConf's
 * `traceRequests: true`), fetch inside a trace becomes an `http` span and carries the signed
 * trace headers, so the called service joins the trace.
 */
export async function callApi<T>(
  url: string,
  options: { method?: string; token: string; body?: unknown; subjectToken?: string },
): Promise<T> {
  const headers: Record<string, string> = { 'x-auth-token': options.token, 'content-type': 'application/json' };
  if (options.subjectToken !== undefined) headers['x-subject-token'] = options.subjectToken;
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  if (!response.ok)
    throw new HttpError(response.status, `${options.method ?? 'GET'} ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** What identity answers about a valid token. */
export interface TokenInfo {
  token: { user: { id: string; name: string }; project: { id: string; name: string } };
}

/**
 * keystonemiddleware's auth_token: validates the request's token with the identity service over
 * HTTP (traced, with the trace headers) and builds the request context from the answer.
 */
export async function authenticate(request: ApiRequest, identityUrl: string): Promise<RequestContext> {
  const token = requireToken(request);
  let info: TokenInfo;
  try {
    info = await callApi<TokenInfo>(`${identityUrl}/v3/auth/tokens`, { token, subjectToken: token });
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) throw new HttpError(401, 'invalid token');
    throw error;
  }
  return new RequestContext(info.token.user.id, info.token.project.id, `req-${randomUUID()}`, token);
}
