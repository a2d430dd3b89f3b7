// HTTP helpers shared by the web-framework and HTTP-client tests: signed trace headers, a plain client, waits.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signedPack } from '../../src/propagation/signing.js';

/** The HMAC key the tests sign with. */
export const KEY = 'SECRET_KEY';
/** The base_id of the incoming trace. */
export const BASE = '1d5b4a0c-6f5e-4c3b-9a2d-8e7f6a5b4c3d';
/** The parent_id of the incoming trace. */
export const PARENT = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';

/** X-Trace-Info / X-Trace-HMAC for BASE (and `parent`, unless null), signed with `key`. */
export function traceHeaders(key = KEY, parent: string | null = PARENT): Record<string, string> {
  const [info, hmac] = signedPack(parent === null ? { base_id: BASE } : { base_id: BASE, parent_id: parent }, key);
  return { 'X-Trace-Info': info, 'X-Trace-HMAC': hmac! };
}

/** A plain node:http request (no agent unless given); resolves with the status and the body text. */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; agent?: http.Agent } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Polls `condition` every 5 ms; rejects after `ms`. */
export async function waitFor(condition: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A request body as text. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
  });
}

/** Listens on a free port of 127.0.0.1; resolves with `http://127.0.0.1:<port>`. */
export async function listenLocal(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Drops the server's open connections and closes it. */
export async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** A server listening on 127.0.0.1, as the fake services hand it to tests. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Drops open connections and closes the server. */
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1; resolves with its URL, port and close(). */
export async function serveLocal(server: http.Server): Promise<LocalServer> {
  const url = await listenLocal(server);
  return { url, port: Number(new URL(url).port), close: () => closeServer(server) };
}
