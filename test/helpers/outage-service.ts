// A traced HTTP service for the store-outage tests (run as a child): writes its spans to OSP_URL, answers GET /stats.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNotifier, setNotifier } from '../../src/index.js';
import { wrapListener } from '../../src/web.js';
import { setLogSink } from '../../src/log.js';

const options = JSON.parse(process.env.OSP_OPTIONS ?? '{}') as Record<string, unknown>;
const notifier = createNotifier(process.env.OSP_URL!, { project: 'osp-outage', service: 'api', ...options });
setNotifier(notifier);
// why: the test reads what the service printed during the outage from stderr.
setLogSink((_level, message) => void process.stderr.write(`${message}\n`));

let handled = 0;
let peakRss = process.memoryUsage().rss;
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20).unref();

const traced = wrapListener(
  (_req, res) => {
    handled++;
    res.end('ok');
  },
  { hmacKeys: 'SECRET_KEY' },
);

const server = createServer((req, res) => {
  if (req.url === '/stats') {
    // why: unsigned, so not traced; the counters of the notifier and the process.
    const rss = process.memoryUsage().rss;
    res.end(JSON.stringify({ handled, rss, peakRss: Math.max(peakRss, rss), ...notifier.stats() }));
    return;
  }
  if (req.url === '/reset-peak') {
    peakRss = process.memoryUsage().rss;
    res.end('ok');
    return;
  }
  traced(req, res);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  void notifier.shutdown({ timeoutMs: 3000 }).finally(() => process.exit(0));
});
