// volume API (cinder-api-like): volumes behind the HTTP middleware; attach sent to cinder-volume over RPC (context serializer).
import { HttpError, authenticate, startApi } from './http-api.js';
import { RpcClient } from './messaging.js';
import type { StartRole } from './runtime.js';
import { openCinderDb } from './volume-db.js';

/** Starts volume's API: GET /v3/volumes, POST /v3/volumes/{id}/action (os-attach). */
export const startVolumeApi: StartRole = async (runtime) => {
  const db = openCinderDb(runtime.dataDir);
  // why: cinder's rpcapi is not traced itself; its RequestContextSerializer alone carries the trace.
  const volumeRpc = new RpcClient(runtime.bus, 'cinder-volume');
  return startApi([
    [
      'GET',
      /^\/v3\/volumes$/,
      async (request) => {
        const context = await authenticate(request, runtime.catalog.identity);
        const volumes = db
          .prepare(
            'SELECT id, display_name AS name, size, status FROM volumes WHERE project_id = ? ORDER BY display_name',
          )
          .all(context.project_id);
        return { body: { volumes } };
      },
    ],
    [
      'POST',
      /^\/v3\/volumes\/([^/]+)\/action$/,
      async (request) => {
        const context = await authenticate(request, runtime.catalog.identity);
        const attach = request.body['os-attach'] as { instance_uuid?: string; host_name?: string } | undefined;
        if (attach?.instance_uuid === undefined) throw new HttpError(400, 'only os-attach is supported');
        const volume = db
          .prepare('SELECT id, status FROM volumes WHERE id = ? OR display_name = ?')
          .get(request.params[0], request.params[0]) as { id: string; status: string } | undefined;
        if (volume === undefined) throw new HttpError(404, `volume ${request.params[0]} not found`);
        db.prepare("UPDATE volumes SET status = 'attaching' WHERE id = ?").run(volume.id);
        const connection = await volumeRpc.call<{ device: string }>(context, 'attach_volume', {
          volume_id: volume.id,
          instance_uuid: attach.instance_uuid,
          host_name: attach.host_name ?? '',
        });
        return { status: 202, body: { connection_info: connection } };
      },
    ],
  ]);
};
