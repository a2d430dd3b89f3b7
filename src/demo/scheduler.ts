// nova-scheduler-like: a Traced manager ({name: 'rpc'}) choosing a host from its placement DB and claiming resources.
import { Traced, type TracedArgs } from '../index.js';
import { openDatabase, type Db } from './database.js';
import { serveEndpoint } from './messaging.js';
import type { BuildRequest } from './nova-rpcapi.js';
import type { RequestContext } from './request-context.js';
import type { StartRole } from './runtime.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS resource_providers (name TEXT PRIMARY KEY, vcpus INTEGER NOT NULL, memory_mb INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS allocations (consumer_id TEXT PRIMARY KEY, provider TEXT NOT NULL, vcpus INTEGER NOT NULL,
  memory_mb INTEGER NOT NULL);
INSERT OR IGNORE INTO resource_providers VALUES ('cmp-01', 16, 65536), ('cmp-02', 32, 131072), ('cmp-03', 8, 32768);
`;

/** nova.scheduler.manager.SchedulerManager. */
export class SchedulerManager extends Traced {
  static override traceArgs: TracedArgs = { name: 'rpc', hideResult: false };

  constructor(private readonly db: Db) {
    super();
  }

  /** The provider with the most free memory that fits the flavor; the claim is written in one transaction. */
  select_destinations(_context: RequestContext, args: { request: BuildRequest }): { host: string } {
    const { instance_uuid: uuid, flavor } = args.request;
    const claim = this.db.transaction(() => {
      const row = this.db
        .prepare(
          `SELECT p.name, p.memory_mb - COALESCE(SUM(a.memory_mb), 0) AS free_mb, p.vcpus - COALESCE(SUM(a.vcpus), 0) AS free_vcpus
           FROM resource_providers p LEFT JOIN allocations a ON a.provider = p.name
           GROUP BY p.name HAVING free_mb >= ? AND free_vcpus >= ? ORDER BY free_mb DESC LIMIT 1`,
        )
        .get(flavor.memory_mb, flavor.vcpus) as { name: string } | undefined;
      if (row === undefined) throw new Error('No valid host was found. There are not enough hosts available.');
      this.db
        .prepare('INSERT INTO allocations (consumer_id, provider, vcpus, memory_mb) VALUES (?, ?, ?, ?)')
        .run(uuid, row.name, flavor.vcpus, flavor.memory_mb);
      return row.name;
    });
    return { host: claim() };
  }
}

/** Starts the scheduler: serves the `scheduler` topic. */
export const startScheduler: StartRole = async (runtime) => {
  const manager = new SchedulerManager(openDatabase(runtime.dataDir, 'placement.db', SCHEMA));
  await serveEndpoint(runtime.bus, 'scheduler', manager, runtime.hmacKeys);
  return undefined;
};
