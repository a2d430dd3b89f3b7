// The demo's deployment: one process per service role, with the OpenStack service it stands for.
/** A service process of the demo. */
export interface RoleInfo {
  /** Process name, also the role's key. */
  readonly name: string;
  /**
   * Stored with each of its notifications (Python's project/service). why: the service names are
   * the role names, unique across projects, so the HTML viewer (which labels points by service)
   * tells keystone's API from nova's.
   */
  readonly project: string;
  readonly service: string;
  /** Catalog entry its HTTP API fills, when it has one. */
  readonly api?: 'identity' | 'image' | 'compute' | 'network' | 'volume';
  /** RPC topics it serves. */
  readonly topics: readonly string[];
}

/** Every role, in start order (they start in parallel; the order is the one printed). */
export const ROLES: readonly RoleInfo[] = [
  { name: 'identity', project: 'keystone', service: 'identity', api: 'identity', topics: [] },
  { name: 'image', project: 'glance', service: 'image', api: 'image', topics: [] },
  { name: 'compute-api', project: 'nova', service: 'compute-api', api: 'compute', topics: [] },
  { name: 'conductor', project: 'nova', service: 'conductor', topics: ['conductor'] },
  { name: 'scheduler', project: 'nova', service: 'scheduler', topics: ['scheduler'] },
  { name: 'compute', project: 'nova', service: 'compute', topics: ['compute'] },
  { name: 'network', project: 'neutron', service: 'network', api: 'network', topics: [] },
  { name: 'network-agent', project: 'neutron', service: 'network-agent', topics: ['q-agent-notifier'] },
  { name: 'volume-api', project: 'cinder', service: 'volume-api', api: 'volume', topics: [] },
  { name: 'volume', project: 'cinder', service: 'volume', topics: ['cinder-volume'] },
];

/** What the runner passes a service process (as its one argument, JSON). */
export interface ServiceConfig {
  role: string;
  connectionString: string;
  hmacKey: string;
  dataDir: string;
  /** RabbitMQ URL; absent: the built-in channel. */
  transportUrl?: string;
  /** Prefix of this run's queue names, so runs never share queues. */
  queuePrefix: string;
}

/** Messages between the runner and a service that are not bus traffic. */
export type Control = { catalog: Record<string, string> } | { flush: number } | { stop: true };

/** A service's answers to the runner. */
export type ServiceReport = { ready: { port: number | null } } | { flushed: number } | { failed: string };
