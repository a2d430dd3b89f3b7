// e2e chain service on node:http, traced with wrapListener.
import { createServer } from 'node:http';
import { wrapListener } from '../../../src/instrumentation/http-server/node-http.js';
import { answerChain, queryOf, serveOverIpc, setUpTracing } from './chain-service.js';

await setUpTracing();

const server = createServer(
  wrapListener(async (req, res) => {
    if (!(req.url ?? '').startsWith('/chain')) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    try {
      const { status, body } = await answerChain(queryOf(req.url));
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    } catch (error) {
      res.statusCode = 502;
      res.end(String(error));
    }
  }),
);
serveOverIpc(server);
