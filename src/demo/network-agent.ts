// network agent (neutron L2-agent-like): its RPC callbacks class traced with traceClass('rpc'), local state DB traced.
import { traceClass } from '../index.js';
import { openDatabase, type Db } from './database.js';
import { serveEndpoint } from './messaging.js';
import type { RequestContext } from './request-context.js';
import type { StartRole } from './runtime.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS bridge_ports (port_id TEXT PRIMARY KEY, bridge TEXT NOT NULL, vlan INTEGER NOT NULL,
  mac_address TEXT NOT NULL);
`;

/** The agent's RPC endpoint (neutron's OVS agent callbacks). */
export class OvsAgentRpcCallbacks {
  constructor(private readonly db: Db) {}

  /** Plugs the port into the integration bridge and reports it up. */
  port_update(_context: RequestContext, args: { port: { id: string; network_id: string; mac_address: string } }) {
    const vlan = args.port.network_id === 'public' ? 2 : 1;
    this.db
      .prepare('INSERT OR REPLACE INTO bridge_ports (port_id, bridge, vlan, mac_address) VALUES (?, ?, ?, ?)')
      .run(args.port.id, 'br-int', vlan, args.port.mac_address);
    return { status: 'ACTIVE' };
  }
}
// why: neutron decorates its agents' RPC classes with @profiler.trace_cls("rpc"); this is that call.
traceClass('rpc', { hideResult: false })(OvsAgentRpcCallbacks);

/** Starts the agent: serves the `q-agent-notifier` topic. */
export const startNetworkAgent: StartRole = async (runtime) => {
  const callbacks = new OvsAgentRpcCallbacks(openDatabase(runtime.dataDir, 'ovs-agent.db', SCHEMA));
  await serveEndpoint(runtime.bus, 'q-agent-notifier', callbacks, runtime.hmacKeys);
  return undefined;
};
