// A small Log Insight REST stand-in on port 0 (plain http): sessions, ingestion, the events query.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { serveLocal, type LocalServer } from './http.js';

export interface LiRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeLogInsight extends LocalServer {
  requests: LiRequest[];
  /** Every ingested event, in arrival order. */
  events: any[];
  /** Session ids handed out; `expire()` makes the current ones answer 440. */
  sessions: Set<string>;
  expire(): void;
}

/** Starts the stand-in with one user. */
export async function startFakeLogInsight(user = 'osprofiler', password = 'p@ss:word'): Promise<FakeLogInsight> {
  const requests: LiRequest[] = [];
  const events: any[] = [];
  const sessions = new Set<string>();
  let counter = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      const reply = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const url = new URL(req.url!, 'http://x');
      if (req.method === 'POST' && url.pathname === '/api/v1/sessions') {
        const creds = JSON.parse(body);
        if (creds.username !== user || creds.password !== password) {
          return reply(401, { errorMessage: 'Invalid username or password.', errorCode: 'FIELD_ERROR' });
        }
        const sessionId = `sess-${++counter}`;
        sessions.add(sessionId);
        return reply(200, { userId: 'u-1', sessionId, ttl: 1800 });
      }
      if (req.method === 'POST' && url.pathname.startsWith('/api/v1/events/ingest/')) {
        const parsed = JSON.parse(body);
        events.push(...parsed.events);
        return reply(200, { status: 'ok', message: 'events ingested', ingested: parsed.events.length });
      }
      const query = /^\/api\/v1\/events\/base_id\/CONTAINS\+([^/]+)\/timestamp\/GT\+0$/.exec(url.pathname);
      if (req.method === 'GET' && query) {
        const session = req.headers['x-li-session-id'];
        if (typeof session !== 'string' || !sessions.has(session))
          return reply(440, { errorMessage: 'Session expired' });
        const id = decodeURIComponent(query[1]);
        const found = events.filter((e) =>
          e.fields.some((f: any) => f.name === 'base_id' && String(f.content).includes(id)),
        );
        // Log Insight returns the fields it extracted as well; the reader must pick "trace"
        return reply(200, {
          complete: true,
          events: found.map((e) => ({
            text: e.text,
            timestamp: 1,
            fields: [{ name: 'source', content: '10.0.0.1' }, ...e.fields],
          })),
        });
      }
      reply(404, { errorMessage: `no route ${req.method} ${url.pathname}` });
    });
  });
  return {
    ...(await serveLocal(server)),
    requests,
    events,
    sessions,
    expire: () => sessions.clear(),
  };
}
