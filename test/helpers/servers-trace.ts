// The issue-14 acceptance trace: wsgi GET /servers → rpc compute.Manager.list → db SELECT, plus an HTTP call with a failing db under it.
import type { Notification } from '../../src/core/payload.js';
import { createSqliteDriver } from '../../src/drivers/sqlite/driver.js';

/** When the trace starts (UTC): 2026-12-04 14:30:05.000. */
export const SERVERS_TRACE_START_MS = Date.UTC(2026, 11, 4, 14, 30, 5);

/** The statement of the trace's SELECT. */
export const SERVERS_SELECT = 'SELECT * FROM instances WHERE project_id = ? AND deleted = 0';

/**
 * The notifications of one GET /servers trace with id `baseId`; `selectMs` is how long the
 * SELECT takes (default 30), so two traces can differ where a comparison should find it;
 * `startOffsetMs` moves the whole trace later.
 */
export function serversTrace(baseId: string, selectMs = 30, startOffsetMs = 0): Notification[] {
  const at = (ms: number): string =>
    new Date(SERVERS_TRACE_START_MS + startOffsetMs + ms).toISOString().replace('Z', '000');
  const id = (n: number): string => `${baseId.slice(0, 24)}${String(n).padStart(12, '0')}`;
  const out: Notification[] = [];
  const span = (
    n: number,
    parent: string,
    name: string,
    from: number,
    to: number,
    start: Record<string, unknown>,
    stop: Record<string, unknown> = {},
  ): void => {
    const common = { base_id: baseId, trace_id: id(n), parent_id: parent };
    out.push({ name: `${name}-start`, ...common, timestamp: at(from), info: { host: 'ctl-1', ...start } });
    out.push({ name: `${name}-stop`, ...common, timestamp: at(to), info: { host: 'ctl-1', ...stop } });
  };
  const end = Math.max(120, 15 + selectMs + 60);
  span(1, baseId, 'wsgi', 0, end, { request: { path: '/servers', query: 'limit=10', method: 'GET', scheme: 'http' } });
  span(2, id(1), 'rpc', 5, end - 10, { function: { name: 'compute.Manager.list', args: '()', kwargs: '{}' } });
  span(3, id(2), 'db', 10, 10 + selectMs, { db: { statement: SERVERS_SELECT, params: '[1]' } });
  span(
    4,
    id(2),
    'http',
    15 + selectMs,
    15 + selectMs + 50,
    { requests: { method: 'GET', path: '/v2/images', hostname: 'glance', port: 9292, scheme: 'http' } },
    { requests: { status_code: 200 } },
  );
  span(
    5,
    id(4),
    'db',
    20 + selectMs,
    60 + selectMs,
    { db: { statement: 'UPDATE images SET x = 1' } },
    {
      etype: 'OperationalError',
      message: 'deadlock',
    },
  );
  return out;
}

/** Writes {@link serversTrace} into the SQLite store at `connectionString` (project nova, service api). */
export async function storeServersTrace(
  connectionString: string,
  baseId: string,
  selectMs = 30,
  startOffsetMs = 0,
): Promise<void> {
  const driver = createSqliteDriver(connectionString, { project: 'nova', service: 'api', writer: 'inline' });
  try {
    await driver.notifyBatch(serversTrace(baseId, selectMs, startOffsetMs));
  } finally {
    await driver.close();
  }
}
