// A one-span trace whose stop carries an error, written by the real-server driver tests and read back.
import { randomUUID } from 'node:crypto';
import type { Notification } from '../../src/core/payload.js';

/** wsgi-start at 09:30:12.345678 and wsgi-stop (etype E, message m) 4 ms later, both under `base`, host it-host. */
export function failedWsgiSpan(base: string): Notification[] {
  const span = randomUUID();
  const n = (name: string, timestamp: string, info: Record<string, unknown> = {}): Notification => ({
    name,
    base_id: base,
    trace_id: span,
    parent_id: base,
    timestamp,
    info: { ...info, host: 'it-host' },
  });
  return [
    n('wsgi-start', '2024-05-14T09:30:12.345678'),
    n('wsgi-stop', '2024-05-14T09:30:12.350001', { etype: 'E', message: 'm' }),
  ];
}
