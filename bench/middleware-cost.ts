// Issue 5 bench, in process: CPU per request of wrapListener without a network or a load generator
// (steadier than bench/http-overhead.ts on a shared machine), untraced vs traced, noop:// driver.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { createNotifier, enableWebTrace, flush, setNotifier, signedPack } from '../src/index.js';
import { wrapListener } from '../src/web/node-http.js';
import { row } from './harness.js';

setNotifier(createNotifier('noop://'));
enableWebTrace(['SECRET_KEY']);
const [info, hmac] = signedPack({ base_id: crypto.randomUUID(), parent_id: crypto.randomUUID() }, 'SECRET_KEY');
type Listener = (req: IncomingMessage, res: ServerResponse) => void;
const plain: Listener = (_req, res) => void res.end('hello');
const wrapped = wrapListener(plain);

/** One request through `listener` on an in-memory socket whose writes go nowhere. */
function request(listener: Listener, traced: boolean): void {
  const socket = new Socket();
  (socket as unknown as { write: () => boolean }).write = () => true;
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = '/servers?limit=3';
  req.headers = traced ? { host: 'api', 'x-trace-info': info, 'x-trace-hmac': hmac! } : { host: 'api' };
  const res = new ServerResponse(req);
  res.assignSocket(socket);
  listener(req, res);
  res.emit('finish');
}

async function cpuPerRequest(listener: Listener, traced: boolean, n = 20_000): Promise<number> {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    request(listener, traced);
    if (i % 500 === 499) await flush();
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

const rounds: Record<string, number[]> = { plain: [], untraced: [], traced: [] };
for (let r = 0; r < 6; r++) {
  rounds.plain!.push(await cpuPerRequest(plain, false));
  rounds.untraced!.push(await cpuPerRequest(wrapped, false));
  rounds.traced!.push(await cpuPerRequest(wrapped, true));
}
const median = (xs: number[]) => [...xs].slice(1).sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const [p, u, t] = [median(rounds.plain!), median(rounds.untraced!), median(rounds.traced!)];
console.log(`\nwrapListener CPU per request, in process — Node ${process.version}\n`);
row('plain listener', `${p.toFixed(2)} µs`);
row('wrapListener, untraced request', `${u.toFixed(2)} µs`, `= ${(u / p).toFixed(3)}x plain (target within 1 %)`);
row(
  'wrapListener, traced request (noop:// driver)',
  `${t.toFixed(2)} µs`,
  `adds ${(t - p).toFixed(2)} µs (target <= 3 µs)`,
);
