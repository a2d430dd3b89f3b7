// nova-conductor-like: a Traced manager ({name: 'rpc'}) that asks the scheduler for a host and casts the build to it.
import { Traced, type TracedArgs } from '../index.js';
import { serveEndpoint } from './messaging.js';
import { openNovaDb } from './nova-db.js';
import { ComputeAPI, SchedulerAPI, type BuildRequest } from './nova-rpcapi.js';
import type { RequestContext } from './request-context.js';
import type { Db } from './database.js';
import type { Bus } from './bus.js';
import type { StartRole } from './runtime.js';

/** nova.conductor.manager.ComputeTaskManager: every public method is an `rpc` trace point (nova's ManagerMeta). */
export class ConductorManager extends Traced {
  static override traceArgs: TracedArgs = { name: 'rpc' };
  private readonly scheduler: SchedulerAPI;
  private readonly compute: ComputeAPI;

  constructor(
    private readonly db: Db,
    bus: Bus,
  ) {
    super();
    this.scheduler = new SchedulerAPI(bus);
    this.compute = new ComputeAPI(bus);
  }

  /** Picks a host (call to the scheduler), records it, and casts the build to that host. */
  async schedule_and_build_instances(context: RequestContext, args: { request: BuildRequest }): Promise<void> {
    const { request } = args;
    const { host } = await this.scheduler.selectDestinations(context, request);
    this.db
      .prepare("UPDATE instances SET host = ?, task_state = 'block_device_mapping', updated_at = ? WHERE uuid = ?")
      .run(host, new Date().toISOString(), request.instance_uuid);
    this.compute.buildAndRunInstance(context, request, host);
  }

  /** Writes instance fields for a compute host. */
  instance_update(
    context: RequestContext,
    args: { instance_uuid: string; values: Record<string, string | null> },
  ): void {
    const { vm_state = null, task_state = null } = args.values;
    this.db
      .prepare('UPDATE instances SET vm_state = COALESCE(?, vm_state), task_state = ?, updated_at = ? WHERE uuid = ?')
      .run(vm_state, task_state, new Date().toISOString(), args.instance_uuid);
  }
}

/** Starts the conductor: serves the `conductor` topic. */
export const startConductor: StartRole = async (runtime) => {
  const manager = new ConductorManager(openNovaDb(runtime.dataDir), runtime.bus);
  await serveEndpoint(runtime.bus, 'conductor', manager, runtime.hmacKeys);
  return undefined;
};
