// Synthetic traces for the HTML report's browser tests: hostile markup, and a wide trace.
import { buildReport } from '../../src/report/build.js';
import type { Report, StoredNotification } from '../../src/report/types.js';

/** The db.statement the XSS test uses. */
export const XSS = '</script><img src=x onerror=alert(1)>';

/** A flat trace of `spans` db spans under one wsgi root, each with its own statement. */
export function wideReport(spans: number): Report {
  const base = 'bbbbbbbb-0000-4000-8000-000000000000';
  const ts = (ms: number): string =>
    `2024-05-14T09:30:${String(10 + Math.floor(ms / 1000)).padStart(2, '0')}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
  const out: StoredNotification[] = [
    {
      name: 'wsgi-start',
      base_id: base,
      trace_id: 'root',
      parent_id: base,
      timestamp: ts(0),
      info: { host: 'h' },
      project: 'p',
      service: 'api',
    },
    {
      name: 'wsgi-stop',
      base_id: base,
      trace_id: 'root',
      parent_id: base,
      timestamp: ts(spans + 1),
      info: { host: 'h' },
      project: 'p',
      service: 'api',
    },
  ];
  for (let i = 0; i < spans; i++) {
    const info = { host: 'h', db: { statement: `SELECT ${i} FROM t${i} -- ${'x'.repeat(120)}`, params: {} } };
    out.push({
      name: 'db-start',
      base_id: base,
      trace_id: `db-${i}`,
      parent_id: 'root',
      timestamp: ts(i),
      info,
      project: 'p',
      service: 'db',
    });
    out.push({
      name: 'db-stop',
      base_id: base,
      trace_id: `db-${i}`,
      parent_id: 'root',
      timestamp: ts(i + 1),
      info: { host: 'h' },
      project: 'p',
      service: 'db',
    });
  }
  return buildReport(out);
}

/** A trace whose statement, path, params, service and error carry markup that must stay inert. */
export function xssReport(): Report {
  const base = 'aaaaaaaa-0000-4000-8000-000000000000';
  const at = (s: number): string => `2024-05-14T09:30:1${s}.000000`;
  const n = (
    name: string,
    trace: string,
    parent: string,
    ts: string,
    info: Record<string, unknown>,
  ): StoredNotification => ({
    name,
    base_id: base,
    trace_id: trace,
    parent_id: parent,
    timestamp: ts,
    info: { host: 'ctl-01', ...info },
    project: 'nova',
    service: name.startsWith('db') ? '<img src=x onerror=alert(6)>' : 'api',
  });
  return buildReport([
    n('wsgi-start', 'w', base, at(0), {
      request: { method: 'GET', path: '/x"><img src=x onerror=alert(2)>', query: '', scheme: 'http' },
    }),
    n('db-start', 'd', 'w', at(1), { db: { statement: XSS, params: { p: '<svg onload=alert(3)>' } } }),
    n('db-stop', 'd', 'w', at(2), {
      etype: '<img src=x onerror=alert(4)>',
      message: '</script><script>alert(5)</script>',
    }),
    n('wsgi-stop', 'w', base, at(3), {}),
  ]);
}
