// Run as a child by test/integration/collect-reset.test.ts: a reset cut right after the server closed the connection; the process must then exit.
import { connect, createServer, type AddressInfo } from 'node:net';
import { tcpProxy } from './tcp-proxy.js';

// A server that answers one line and closes, as Redis answers QUIT.
const server = createServer((socket) => socket.once('data', () => socket.end('+OK\r\n')));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const proxy = await tcpProxy((server.address() as AddressInfo).port);
const client = connect(proxy.port, '127.0.0.1');
client.on('error', () => {});
await new Promise((resolve) => client.once('connect', resolve));
client.write('QUIT\r\n');
await new Promise((resolve) => client.once('data', resolve));
// why: the proxy is still passing the server's FIN on to the client at this point.
await proxy.stop({ reset: true });
client.destroy();
server.close();
process.stdout.write('cut done\n');
