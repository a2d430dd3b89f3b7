// nova-compute-like: a Traced manager whose build, spawned after the RPC returns, calls network, volume and image.
import { Traced, type TracedArgs } from '../index.js';
import { serializeTraceInfo, withTraceInfo } from '../rpc.js';
import { openDatabase, type Db } from './database.js';
import { callApi } from './http-api.js';
import { serveEndpoint } from './messaging.js';
import { ConductorAPI, type BuildRequest } from './nova-rpcapi.js';
import type { RequestContext } from './request-context.js';
import type { Catalog, StartRole } from './runtime.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS domains (uuid TEXT PRIMARY KEY, host TEXT NOT NULL, vcpus INTEGER NOT NULL,
  memory_mb INTEGER NOT NULL, disk TEXT NOT NULL, port_id TEXT NOT NULL, volume_device TEXT, state TEXT NOT NULL);
`;

/**
 * Runs `work` after the current call has returned, in the same trace, under the current point.
 * why: nova's utils.spawn serializes the profiler (base id, current id) and re-inits it in the
 * green thread. Node's async context would follow the callback by itself, but it holds the
 * caller's span stack, which has popped the method's point by the time the work runs; taking
 * the trace info now keeps the spawned points under the method that spawned them.
 */
function spawn(work: () => Promise<void>): void {
  const traceInfo = serializeTraceInfo();
  setImmediate(() => void withTraceInfo(traceInfo, work).catch(() => undefined));
}

/** nova.compute.manager.ComputeManager. */
export class ComputeManager extends Traced {
  static override traceArgs: TracedArgs = { name: 'rpc' };

  constructor(
    private readonly db: Db,
    private readonly conductor: ConductorAPI,
    private readonly catalog: Catalog,
  ) {
    super();
  }

  /** Cast from the conductor: answers at once and builds in the background, as nova does. */
  build_and_run_instance(context: RequestContext, args: { request: BuildRequest; host: string }): void {
    spawn(() => this._do_build_and_run_instance(context, args.request, args.host));
  }

  /** Not traced itself (a private method); everything it calls is. */
  async _do_build_and_run_instance(context: RequestContext, request: BuildRequest, host: string): Promise<void> {
    const uuid = request.instance_uuid;
    const token = context.authToken;
    try {
      await this.conductor.instanceUpdate(context, uuid, { task_state: 'networking' });
      const { port } = await callApi<{ port: { id: string } }>(`${this.catalog.network}/v2.0/ports`, {
        method: 'POST',
        token,
        body: { port: { network_id: request.network_id, device_id: uuid, binding_host_id: host } },
      });
      let device: string | null = null;
      if (request.volume_id !== null) {
        await this.conductor.instanceUpdate(context, uuid, { task_state: 'block_device_mapping' });
        const attached = await callApi<{ connection_info: { device: string } }>(
          `${this.catalog.volume}/v3/volumes/${request.volume_id}/action`,
          { method: 'POST', token, body: { 'os-attach': { instance_uuid: uuid, host_name: host } } },
        );
        device = attached.connection_info.device;
      }
      await this.conductor.instanceUpdate(context, uuid, { task_state: 'spawning' });
      const image = await callApi<{ id: string; disk_format: string }>(
        `${this.catalog.image}/v2/images/${request.image_id}`,
        { token },
      );
      this.db
        .prepare(
          'INSERT INTO domains (uuid, host, vcpus, memory_mb, disk, port_id, volume_device, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          uuid,
          host,
          request.flavor.vcpus,
          request.flavor.memory_mb,
          `${image.id}.${image.disk_format}`,
          port.id,
          device,
          'running',
        );
      await this.conductor.instanceUpdate(context, uuid, { vm_state: 'active', task_state: null });
    } catch {
      await this.conductor
        .instanceUpdate(context, uuid, { vm_state: 'error', task_state: null })
        .catch(() => undefined);
    }
  }
}

/** Starts nova-compute: serves the `compute` topic. */
export const startCompute: StartRole = async (runtime) => {
  const db = openDatabase(runtime.dataDir, 'compute.db', SCHEMA);
  const manager = new ComputeManager(db, new ConductorAPI(runtime.bus), runtime.catalog);
  await serveEndpoint(runtime.bus, 'compute', manager, runtime.hmacKeys);
  return undefined;
};
