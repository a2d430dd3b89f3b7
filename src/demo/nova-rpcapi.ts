// nova's RPC client classes (conductor, scheduler, compute): each traced with traceClass('rpc') as nova's rpcapi modules are.
import { traceClass } from '../index.js';
import type { Bus } from './bus.js';
import { RpcClient } from './messaging.js';
import type { RequestContext } from './request-context.js';

/** What compute-api asks the conductor to build. */
export interface BuildRequest {
  instance_uuid: string;
  flavor: { id: string; vcpus: number; memory_mb: number; root_gb: number };
  image_id: string;
  network_id: string;
  volume_id: string | null;
}

/** Client side of the conductor (nova.conductor.rpcapi.ComputeTaskAPI / ConductorAPI). */
export class ConductorAPI {
  private readonly client: RpcClient;

  constructor(bus: Bus) {
    this.client = new RpcClient(bus, 'conductor');
  }

  /** Cast: schedules and builds the instance, the API answers 202 without waiting. */
  scheduleAndBuildInstances(context: RequestContext, request: BuildRequest): void {
    this.client.cast(context, 'schedule_and_build_instances', { request });
  }

  /** Call: the compute host updates its instance through the conductor (nova-compute has no DB access). */
  instanceUpdate(context: RequestContext, instanceUuid: string, values: Record<string, string | null>): Promise<void> {
    return this.client.call(context, 'instance_update', { instance_uuid: instanceUuid, values });
  }
}
traceClass('rpc')(ConductorAPI);

/** Client side of the scheduler (nova.scheduler.rpcapi.SchedulerAPI). */
export class SchedulerAPI {
  private readonly client: RpcClient;

  constructor(bus: Bus) {
    this.client = new RpcClient(bus, 'scheduler');
  }

  /** Call: picks a host with room for the flavor. */
  selectDestinations(context: RequestContext, request: BuildRequest): Promise<{ host: string }> {
    return this.client.call(context, 'select_destinations', { request });
  }
}
traceClass('rpc')(SchedulerAPI);

/** Client side of nova-compute (nova.compute.rpcapi.ComputeAPI). */
export class ComputeAPI {
  private readonly client: RpcClient;

  constructor(bus: Bus) {
    this.client = new RpcClient(bus, 'compute');
  }

  /** Cast to the chosen host. */
  buildAndRunInstance(context: RequestContext, request: BuildRequest, host: string): void {
    this.client.cast(context, 'build_and_run_instance', { request, host });
  }
}
traceClass('rpc')(ComputeAPI);
