// Generates the synthetic trace bench/html-report.ts renders: deterministic, realistic payloads.
import type { StoredNotification } from '../src/report/types.js';

/** Deterministic pseudo-random numbers (mulberry32) so every run measures the same trace. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function timestamp(us: number): string {
  const d = new Date(Date.UTC(2024, 4, 14, 9, 30, 0) + Math.floor(us / 1000));
  return d.toISOString().slice(0, 19) + '.' + String(us % 1_000_000).padStart(6, '0');
}

/** Notifications of a realistic trace: HTTP → RPC → compute/driver/db spans over 6 services. */
export function generateNotifications(count: number): StoredNotification[] {
  const rand = rng(20240514);
  const base = 'b0000000-0000-4000-8000-000000000000';
  const services = [
    ['nova', 'api'],
    ['nova', 'compute'],
    ['nova', 'conductor'],
    ['neutron', 'server'],
    ['cinder', 'volume'],
    ['glance', 'api'],
  ];
  const kinds = ['wsgi', 'rpc', 'db', 'driver', 'compute', 'http'];
  const out: StoredNotification[] = [];
  const queue: Array<{ id: string; start: number; end: number; depth: number }> = [];
  let made = 0;
  const add = (parent: string, start: number, end: number, depth: number): void => {
    const id = `00000000-0000-4000-8000-${String(made++).padStart(12, '0')}`;
    const kind = kinds[Math.floor(rand() * kinds.length)];
    const [project, service] = services[Math.floor(rand() * services.length)];
    const info: Record<string, unknown> = { host: `${service}-0${made % 7}` };
    if (kind === 'wsgi' || kind === 'http')
      info.request = { method: 'GET', path: `/v2.1/servers/${made}/detail`, query: 'limit=10', scheme: 'http' };
    else if (kind === 'db')
      info.db = {
        statement: `SELECT instances.id, instances.uuid FROM instances WHERE instances.id = %(id_${made})s`,
        params: { [`id_${made}`]: made },
      };
    else
      info.function = {
        name: `nova.${kind}.manager.Manager.method_${made % 50}`,
        args: '(<ctx>,)',
        kwargs: "{'retry': 3}",
      };
    const stopInfo: Record<string, unknown> = { host: info.host };
    if (rand() < 0.002) Object.assign(stopInfo, { etype: 'Timeout', message: 'timed out after 30s' });
    out.push({
      name: `${kind}-start`,
      base_id: base,
      trace_id: id,
      parent_id: parent,
      timestamp: timestamp(start),
      info,
      project,
      service,
    });
    out.push({
      name: `${kind}-stop`,
      base_id: base,
      trace_id: id,
      parent_id: parent,
      timestamp: timestamp(end),
      info: stopInfo,
      project,
      service,
    });
    queue.push({ id, start, end, depth });
  };
  add(base, 0, 60_000_000, 0);
  for (let q = 0; q < queue.length && made < count; q++) {
    const p = queue[q];
    if (p.depth >= 12) continue;
    const children = 1 + Math.floor(rand() * 6);
    const slice = (p.end - p.start) / children;
    for (let c = 0; c < children && made < count; c++) {
      const s = Math.floor(p.start + c * slice + rand() * slice * 0.2);
      const e = Math.max(s, Math.floor(s + slice * (0.3 + rand() * 0.6)));
      add(p.id, s, e, p.depth + 1);
    }
  }
  return out.reverse(); // like Redis: newest write first
}
