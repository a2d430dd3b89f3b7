// A local HTTP server that records the headers of each request it answers, for the HTTP client tracing tests.
import http, { type IncomingHttpHeaders } from 'node:http';
import { serveLocal, type LocalServer } from './http.js';

export interface HeaderRecorder extends LocalServer {
  /** The headers of each request since the last `reset()`, in arrival order (the same array throughout). */
  readonly received: IncomingHttpHeaders[];
  reset(): void;
}

/** Starts a server that answers every request with `statusOf(url)` and the body `ok`. */
export async function startHeaderRecorder(statusOf: (url: string) => number): Promise<HeaderRecorder> {
  const received: IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    received.push(req.headers);
    res.statusCode = statusOf(req.url ?? '');
    res.end('ok');
  });
  return {
    ...(await serveLocal(server)),
    received,
    reset: () => void (received.length = 0),
  };
}
