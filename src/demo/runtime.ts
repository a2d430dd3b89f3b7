// What every demo service process gets from its main: its role, data folder, bus, keys and the service catalog.
import type { Bus } from './bus.js';

/** The public URLs of the HTTP services, sent by the runner once all of them listen (Keystone's catalog). */
export interface Catalog {
  identity: string;
  image: string;
  compute: string;
  network: string;
  volume: string;
}

/** The process's view of the deployment. */
export interface Runtime {
  /** Folder of this run's SQLite files. */
  readonly dataDir: string;
  /** The RPC bus (built-in channel or RabbitMQ). */
  readonly bus: Bus;
  /** The keys this service accepts trace context signed with. */
  readonly hmacKeys: readonly string[];
  /** The catalog; filled before the first client request arrives. */
  readonly catalog: Catalog;
}

/** What a role module does in its process: starts its API and/or RPC endpoints; returns its HTTP port if any. */
export type StartRole = (runtime: Runtime) => Promise<number | undefined>;
