// One service of `osprofiler demo`, run as a child process: api → compute → scheduler over HTTP.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadSqlite } from '../drivers/sqlite/library.js';
import { initFromConf } from '../config/initializer.js';
import { instrumentSqlite } from '../instrumentation/db/sqlite.js';
import { flush } from '../notifier/lifecycle.js';
import { trace } from '../core/trace.js';
import { wrapListener } from '../instrumentation/http-server/node-http.js';

const Database = loadSqlite();

const [service = 'api', connectionString, hmacKey = 'SECRET_KEY'] = process.argv.slice(2);
const downstream = process.env.OSPROFILER_DEMO_DOWNSTREAM;

await initFromConf(
  { enabled: true, hmacKeys: [hmacKey], connectionString, traceRequests: true, traceSqlalchemy: true },
  { project: 'demo', service, flushIntervalMs: 10 },
);

const db = instrumentSqlite(new Database(':memory:'));
db.exec('CREATE TABLE servers (id INTEGER PRIMARY KEY, name TEXT, flavor TEXT)');
const insert = db.prepare('INSERT INTO servers (name, flavor) VALUES (?, ?)');
for (const [name, flavor] of [
  ['web-1', 'm1.small'],
  ['web-2', 'm1.small'],
  ['db-1', 'm1.large'],
])
  insert.run(name, flavor);

async function fetchJson(path: string): Promise<unknown> {
  const response = await fetch(`${downstream}${path}`);
  return response.json();
}

const pickHost = trace('rpc', { hideResult: false })(async function pickHost(flavor: string) {
  await sleep(flavor === 'm1.large' ? 12 : 4);
  return flavor === 'm1.large' ? 'cmp-07' : 'cmp-02';
});

const listServers = trace('compute')(async function listServers(limit: number) {
  const rows = db.prepare('SELECT id, name, flavor FROM servers ORDER BY id LIMIT ?').all(limit) as Array<{
    name: string;
    flavor: string;
  }>;
  // why: parallel calls show concurrent siblings under one parent in the report.
  const hosts = await Promise.all(rows.map((row) => fetchJson(`/pick?flavor=${row.flavor}`)));
  return rows.map((row, i) => ({ ...row, host: hosts[i] }));
});

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://demo');
  let body: unknown;
  if (service === 'api') body = await fetchJson('/servers?limit=3');
  else if (service === 'compute') body = await listServers(Number(url.searchParams.get('limit') ?? 3));
  else body = await pickHost(url.searchParams.get('flavor') ?? 'm1.small');
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

const server = createServer(
  wrapListener((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  }),
);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ ready: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', (message: { flush?: boolean; stop?: boolean }) => {
  if (message.flush) void flush().then(() => process.send?.({ flushed: true }));
  if (message.stop) server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
