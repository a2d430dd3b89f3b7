// volume service (cinder-volume-like): a plain manager joined to the trace by the RPC context serializer; driver traced as 'driver'.
import { randomUUID } from 'node:crypto';
import { traceClass } from '../index.js';
import type { Db } from './database.js';
import { serveEndpoint } from './messaging.js';
import type { RequestContext } from './request-context.js';
import type { StartRole } from './runtime.js';
import { openCinderDb } from './volume-db.js';

/** An LVM-like backend: exports a logical volume to a host. */
export class LvmDriver {
  private nextDevice = 0;

  /** Creates the export of the volume (the iSCSI target in cinder's LVM driver). */
  async createExport(volumeId: string): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 3));
    return `iqn.2010-10.org.openstack:volume-${volumeId}`;
  }

  /** The connection the compute host attaches. */
  initializeConnection(
    target: string,
    hostName: string,
  ): { driver_volume_type: string; target: string; host: string; device: string } {
    return {
      driver_volume_type: 'iscsi',
      target,
      host: hostName,
      device: `/dev/vd${String.fromCharCode(98 + (this.nextDevice++ % 24))}`,
    };
  }
}

/** cinder.volume.manager.VolumeManager: not traced itself, as in cinder. */
export class VolumeManager {
  private readonly driver: LvmDriver;

  constructor(private readonly db: Db) {
    // why: cinder wraps its volume driver with profiler.trace_cls("driver") when profiling is on.
    this.driver = new (traceClass('driver', { hideResult: false })(LvmDriver))();
  }

  /** Exports the volume, records the attachment, marks it in use. */
  async attach_volume(_context: RequestContext, args: { volume_id: string; instance_uuid: string; host_name: string }) {
    const volume = this.db.prepare('SELECT id, host FROM volumes WHERE id = ?').get(args.volume_id) as
      { id: string } | undefined;
    if (volume === undefined) throw new Error(`volume ${args.volume_id} not found`);
    const target = await this.driver.createExport(volume.id);
    const connection = this.driver.initializeConnection(target, args.host_name);
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO volume_attachment (id, volume_id, instance_uuid, attached_host, mountpoint, attach_status) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(randomUUID(), volume.id, args.instance_uuid, args.host_name, connection.device, 'attached');
      this.db.prepare("UPDATE volumes SET status = 'in-use' WHERE id = ?").run(volume.id);
    })();
    return connection;
  }
}

/** Starts cinder-volume: serves the `cinder-volume` topic. */
export const startVolume: StartRole = async (runtime) => {
  const manager = new VolumeManager(openCinderDb(runtime.dataDir));
  await serveEndpoint(runtime.bus, 'cinder-volume', manager, runtime.hmacKeys);
  return undefined;
};
