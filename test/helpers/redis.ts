// Redis helpers shared by the Redis driver and storage-interop tests.
import { Redis } from 'ioredis';

/** A lazy client that never retries and swallows its own error events (for probing readiness). */
export function probeClient(port: number, host = '127.0.0.1'): Redis {
  const probe = new Redis({ host, port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => {});
  return probe;
}

/** A `requireService` probe: connects, PINGs, disconnects. */
export function redisProbe(port = 6379, host = '127.0.0.1'): () => Promise<void> {
  return async () => {
    const probe = probeClient(port, host);
    try {
      await probe.connect();
      await probe.ping();
    } finally {
      probe.disconnect();
    }
  };
}

/** Deletes every `osprofiler*` key of the client's database. */
export async function cleanOsprofilerKeys(raw: Redis): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', 'osprofiler*', 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await raw.del(...keys);
  } while (cursor !== '0');
}

/** Closes `driver`, then deletes the `osprofiler*` keys and disconnects `raw`: each only if it was created. */
export async function closeAndClean(
  driver: { close(): Promise<void> } | undefined,
  raw: Redis | undefined,
): Promise<void> {
  await driver?.close();
  if (raw) {
    await cleanOsprofilerKeys(raw);
    raw.disconnect();
  }
}
