// network API (neutron-server-like): ports behind the HTTP middleware; binding sent to the agent over RPC.
import { randomUUID } from 'node:crypto';
import { traceClass } from '../index.js';
import type { Bus } from './bus.js';
import { openDatabase } from './database.js';
import { authenticate, startApi } from './http-api.js';
import { RpcClient } from './messaging.js';
import type { RequestContext } from './request-context.js';
import type { StartRole } from './runtime.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS networks (id TEXT PRIMARY KEY, name TEXT NOT NULL, cidr TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ports (id TEXT PRIMARY KEY, network_id TEXT NOT NULL, device_id TEXT NOT NULL,
  mac_address TEXT NOT NULL, ip_address TEXT NOT NULL, binding_host_id TEXT, status TEXT NOT NULL);
INSERT OR IGNORE INTO networks VALUES ('private', 'private', '10.0.0.0/24'), ('public', 'public', '172.24.4.0/24');
`;

/** neutron's AgentNotifierApi: the server's RPC client to the L2 agents, traced with traceClass('rpc'). */
export class AgentNotifierApi {
  private readonly client: RpcClient;

  constructor(bus: Bus) {
    this.client = new RpcClient(bus, 'q-agent-notifier');
  }

  /** Asks the agent on the port's host to wire it; resolves with the port's status. */
  portUpdate(context: RequestContext, port: Record<string, unknown>): Promise<{ status: string }> {
    return this.client.call(context, 'port_update', { port });
  }
}
traceClass('rpc')(AgentNotifierApi);

/** Starts network's API: POST /v2.0/ports, GET /v2.0/networks. */
export const startNetworkServer: StartRole = async (runtime) => {
  const db = openDatabase(runtime.dataDir, 'neutron.db', SCHEMA);
  const agents = new AgentNotifierApi(runtime.bus);
  let nextIp = 10;
  return startApi([
    [
      'GET',
      /^\/v2\.0\/networks$/,
      async (request) => {
        await authenticate(request, runtime.catalog.identity);
        return { body: { networks: db.prepare('SELECT * FROM networks').all() } };
      },
    ],
    [
      'POST',
      /^\/v2\.0\/ports$/,
      async (request) => {
        const context = await authenticate(request, runtime.catalog.identity);
        const wanted = (request.body.port ?? {}) as Record<string, unknown>;
        const port = {
          id: randomUUID(),
          network_id: String(wanted.network_id ?? 'private'),
          device_id: String(wanted.device_id ?? ''),
          mac_address: `fa:16:3e:00:00:${(nextIp % 256).toString(16).padStart(2, '0')}`,
          ip_address: `10.0.0.${nextIp++}`,
          binding_host_id: String(wanted.binding_host_id ?? ''),
          status: 'DOWN',
        };
        db.prepare(
          'INSERT INTO ports (id, network_id, device_id, mac_address, ip_address, binding_host_id, status) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ).run(
          port.id,
          port.network_id,
          port.device_id,
          port.mac_address,
          port.ip_address,
          port.binding_host_id,
          port.status,
        );
        const { status } = await agents.portUpdate(context, port);
        db.prepare('UPDATE ports SET status = ? WHERE id = ?').run(status, port.id);
        return { status: 201, body: { port: { ...port, status } } };
      },
    ],
  ]);
};
