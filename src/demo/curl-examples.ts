// The --keep-running hints: curl commands with a token and freshly signed trace headers for each API.
import { randomUUID } from 'node:crypto';
import { signedPack, X_TRACE_HMAC, X_TRACE_INFO } from '../index.js';
import type { Catalog } from './runtime.js';

const EXAMPLES: readonly [keyof Catalog, string][] = [
  ['identity', '/v3/users'],
  ['image', '/v2/images'],
  ['compute', '/v2.1/servers'],
  ['network', '/v2.0/networks'],
  ['volume', '/v3/volumes'],
];

/**
 * Text that shows how to trace a request by hand: each curl carries a new trace id, packed and
 * signed with `hmacKey` exactly as a client's profiler would send it.
 */
export function curlExamples(catalog: Catalog, token: string, hmacKey: string): string {
  const lines = [
    `The services stay up until you press Ctrl-C. Trace a request by hand (HMAC key: ${hmacKey}):`,
    '',
    `  TOKEN=${token}`,
  ];
  for (const [service, path] of EXAMPLES) {
    const baseId = randomUUID();
    const [packed, hmac] = signedPack({ base_id: baseId, parent_id: baseId }, hmacKey);
    lines.push(
      '',
      `  curl -s ${catalog[service]}${path} -H "X-Auth-Token: $TOKEN" \\`,
      `    -H '${X_TRACE_INFO}: ${packed}' \\`,
      `    -H '${X_TRACE_HMAC}: ${hmac ?? ''}'`,
      `  npx osprofiler trace show ${baseId}`,
    );
  }
  lines.push(
    '',
    '  X-Trace-Info is the URL-safe base64 of {"base_id": …, "parent_id": …}; X-Trace-HMAC is its',
    '  HMAC-SHA1 with the key. A request without them (or signed with another key) is not traced.',
    '',
  );
  return lines.join('\n');
}
