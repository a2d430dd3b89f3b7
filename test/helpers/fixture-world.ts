// Replays a payload fixture's frozen world: ids, clock and host as the Python generator froze them.
import { setClock } from '../../src/propagation/timestamp.js';
import { setHostname } from '../../src/core/host.js';
import { setUuidGenerator } from '../../src/core/ids.js';
import { setNotifier } from '../../src/notifier/notifier.js';
import type { Notification } from '../../src/core/payload.js';

export interface FrozenCase {
  ids_generated: string[];
  clock_reads: string[];
}

/** Runs `fn` with the case's ids and clock fed in order, returning the notifications sent. */
export async function replay(fixture: FrozenCase, fn: () => unknown): Promise<Notification[]> {
  const ids = [...fixture.ids_generated];
  const clock = [...fixture.clock_reads];
  const sent: Notification[] = [];
  setUuidGenerator(() => ids.shift() ?? 'ids-exhausted');
  setClock(() => clock.shift() ?? 'clock-exhausted');
  setHostname('fixture-host');
  setNotifier((n) => sent.push(n));
  try {
    await fn();
  } finally {
    setUuidGenerator(undefined);
    setClock(undefined);
    setHostname(undefined);
    setNotifier(undefined);
  }
  return sent;
}
