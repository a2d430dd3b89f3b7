// e2e chain service on Express (5 by default, 4 with expressModule "express4"), traced with expressMiddleware.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { expressMiddleware } from '../../../src/instrumentation/http-server/express.js';
import { answerChain, config, queryOf, serveOverIpc, setUpTracing } from './chain-service.js';

interface ExpressResponse extends ServerResponse {
  status(code: number): ExpressResponse;
  type(type: string): ExpressResponse;
  send(body: string): ExpressResponse;
}
interface ExpressApp {
  (req: IncomingMessage, res: ServerResponse): void;
  use(handler: unknown): unknown;
  get(path: string, handler: (req: IncomingMessage & { originalUrl: string }, res: ExpressResponse) => void): unknown;
}

// why: Express 4 and 5 have the same surface here; the module name picks the major version.
const moduleName = config.expressModule ?? 'express';
const express = ((await import(moduleName)) as { default: () => ExpressApp }).default;

await setUpTracing();

const app = express();
app.use(expressMiddleware());
app.get('/chain', (req, res) => {
  // why: Express 4 does not catch rejected promises, so errors are answered here for both.
  answerChain(queryOf(req.originalUrl)).then(
    ({ status, body }) => void res.status(status).type('application/json').send(body),
    (error: unknown) => void res.status(502).send(String(error)),
  );
});
serveOverIpc(createServer(app));
