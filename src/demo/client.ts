// The demo's client (python-openstackclient-like): each command with --os-profile sends signed trace headers.
import { setTimeout as sleep } from 'node:timers/promises';
import { getTraceIdHeaders, Profiler, runWithProfiler } from '../index.js';
import type { Catalog } from './runtime.js';

/** One client command of the demo. */
export interface ClientCommand {
  /** Short name used for the HTML file: `server-create`. */
  slug: string;
  /** What the user would type, without `--os-profile`. */
  line: string;
  /** The list in the answer whose length is printed (`users`), if any. */
  counts?: string;
  /** Runs the command inside the trace (the part whose requests carry the trace headers). */
  run(api: ApiClient): Promise<unknown>;
  /** Runs after the traced part, outside the trace (waiting for an asynchronous result). */
  after?(api: ApiClient, result: unknown): Promise<void>;
}

/** A command that ran: its trace id and what it printed. */
export interface ClientRun {
  command: ClientCommand;
  traceId: string;
  summary: string;
}

/** A small REST client that adds the trace headers of the current trace, as the OpenStack clients do. */
export class ApiClient {
  constructor(
    readonly catalog: Catalog,
    readonly token: string,
  ) {}

  /** Sends a request; inside a trace it carries X-Trace-Info / X-Trace-HMAC. */
  async request<T>(service: keyof Catalog, path: string, method = 'GET', body?: unknown): Promise<T> {
    const response = await fetch(`${this.catalog[service]}${path}`, {
      method,
      // why: the clients add the profiler's headers themselves (osprofiler.web.get_trace_id_headers).
      headers: { 'x-auth-token': this.token, 'content-type': 'application/json', ...getTraceIdHeaders() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }
}

/** Logs in (untraced, as `openstack token issue`): returns the token. */
export async function issueToken(catalog: Catalog, user: string, password: string): Promise<string> {
  const response = await fetch(`${catalog.identity}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, password }),
  });
  const token = response.headers.get('x-subject-token');
  if (!response.ok || token === null) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return token;
}

function count(result: unknown, key: string): string {
  const list = (result as Record<string, unknown>)[key];
  return Array.isArray(list) ? `${list.length} ${key}` : '';
}

/** The server the demo creates: image, flavor, network and volume of the seeded data. */
export const SERVER_CREATE_LINE =
  'server create --image cirros-0.6.2 --flavor m1.tiny --network private --volume data-1 --wait demo-vm';

/** The demo's commands: four lists, then a server create that crosses every service. */
export function demoCommands(): ClientCommand[] {
  const list = (slug: string, line: string, service: keyof Catalog, path: string, key: string): ClientCommand => ({
    slug,
    line,
    counts: key,
    run: (api) => api.request(service, path),
  });
  return [
    list('user-list', 'user list', 'identity', '/v3/users', 'users'),
    list('image-list', 'image list', 'image', '/v2/images', 'images'),
    list('server-list', 'server list', 'compute', '/v2.1/servers', 'servers'),
    list('volume-list', 'volume list', 'volume', '/v3/volumes', 'volumes'),
    {
      slug: 'server-create',
      line: SERVER_CREATE_LINE,
      run: (api) =>
        api.request('compute', '/v2.1/servers', 'POST', {
          server: {
            name: 'demo-vm',
            imageRef: 'cirros-0.6.2',
            flavorRef: 'm1.tiny',
            networks: [{ uuid: 'private' }],
            block_device_mapping_v2: [{ uuid: 'data-1' }],
          },
        }),
      // why: `--wait` polls until the build ends; the polls are not part of the trace (no headers).
      after: async (api, result) => {
        const id = (result as { server: { id: string } }).server.id;
        const deadline = Date.now() + 30_000;
        for (;;) {
          const { server } = await api.request<{ server: { status: string } }>('compute', `/v2.1/servers/${id}`);
          if (server.status === 'active') return;
          if (server.status === 'error') throw new Error(`server ${id} went to ERROR`);
          if (Date.now() > deadline) throw new Error(`server ${id} still ${server.status} after 30 s`);
          await sleep(25);
        }
      },
    },
  ];
}

/**
 * Runs one command as a new trace signed with `hmacKey` (`openstack --os-profile KEY …`).
 * why: as python-openstackclient does (`profiler.init(key)`, headers added by each API client),
 * the client only starts the trace and signs its requests; it records no spans of its own, so
 * each command's trace starts at the API service's `wsgi` point.
 */
export async function runCommand(api: ApiClient, command: ClientCommand, hmacKey: string): Promise<ClientRun> {
  const profiler = new Profiler(hmacKey);
  const traceId = profiler.getBaseId();
  const result = await runWithProfiler(profiler, () => command.run(api));
  await command.after?.(api, result);
  return { command, traceId, summary: command.counts === undefined ? '' : count(result, command.counts) };
}
