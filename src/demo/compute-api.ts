// compute API (nova-api-like): servers behind the HTTP middleware; image checked with glance, build cast to the conductor.
import { randomUUID } from 'node:crypto';
import { HttpError, authenticate, callApi, startApi, type ApiRequest } from './http-api.js';
import { openNovaDb } from './nova-db.js';
import { ConductorAPI, type BuildRequest } from './nova-rpcapi.js';
import type { StartRole } from './runtime.js';

interface FlavorRow {
  id: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
}

/** The first `{uuid}` of a list in the request (networks, block_device_mapping_v2), if any. */
function firstUuid(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : undefined;
  const uuid = first !== null && typeof first === 'object' ? (first as { uuid?: unknown }).uuid : undefined;
  return typeof uuid === 'string' ? uuid : undefined;
}

/** Starts compute's API: GET /v2.1/servers, GET /v2.1/servers/{id}, POST /v2.1/servers. */
export const startComputeApi: StartRole = async (runtime) => {
  const db = openNovaDb(runtime.dataDir);
  const conductor = new ConductorAPI(runtime.bus);

  async function create(request: ApiRequest) {
    const context = await authenticate(request, runtime.catalog.identity);
    const server = (request.body.server ?? {}) as Record<string, unknown>;
    const name = typeof server.name === 'string' ? server.name : 'server';
    // why: nova-api asks glance about the image with the user's token; the call carries the trace.
    const image = await callApi<{ id: string }>(`${runtime.catalog.image}/v2/images/${String(server.imageRef)}`, {
      token: context.authToken,
    });
    const flavor = db
      .prepare('SELECT id, vcpus, memory_mb, root_gb FROM flavors WHERE id = ? OR name = ?')
      .get(server.flavorRef, server.flavorRef) as FlavorRow | undefined;
    if (flavor === undefined) throw new HttpError(400, `flavor ${String(server.flavorRef)} not found`);
    const uuid = randomUUID();
    db.prepare(
      `INSERT INTO instances (uuid, display_name, project_id, user_id, image_ref, flavor_id, vm_state, task_state, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'building', 'scheduling', ?)`,
    ).run(uuid, name, context.project_id, context.user_id, image.id, flavor.id, new Date().toISOString());
    const build: BuildRequest = {
      instance_uuid: uuid,
      flavor,
      image_id: image.id,
      network_id: firstUuid(server.networks) ?? 'private',
      volume_id: firstUuid(server.block_device_mapping_v2) ?? null,
    };
    conductor.scheduleAndBuildInstances(context, build);
    return { status: 202, body: { server: { id: uuid, name } } };
  }

  return startApi([
    [
      'GET',
      /^\/v2\.1\/servers$/,
      async (request) => {
        const context = await authenticate(request, runtime.catalog.identity);
        const servers = db
          .prepare(
            'SELECT uuid AS id, display_name AS name, vm_state AS status, host FROM instances WHERE project_id = ? ORDER BY created_at',
          )
          .all(context.project_id);
        return { body: { servers } };
      },
    ],
    [
      'GET',
      /^\/v2\.1\/servers\/([^/]+)$/,
      async (request) => {
        await authenticate(request, runtime.catalog.identity);
        const server = db
          .prepare(
            'SELECT uuid AS id, display_name AS name, vm_state AS status, task_state, host FROM instances WHERE uuid = ?',
          )
          .get(request.params[0]);
        if (server === undefined) throw new HttpError(404, `server ${request.params[0]} not found`);
        return { body: { server } };
      },
    ],
    ['POST', /^\/v2\.1\/servers$/, create],
  ]);
};
