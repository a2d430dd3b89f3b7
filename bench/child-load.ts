// Shared by the HTTP benches: autocannon's programmatic API (typed) and waiting for a child's IPC message.
import type { ChildProcess } from 'node:child_process';

export interface AutocannonRequest {
  headers?: Record<string, string>;
}

export interface AutocannonResult {
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

export type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests?: { setupRequest: (request: AutocannonRequest) => AutocannonRequest }[];
}) => Promise<AutocannonResult>;

/**
 * autocannon, loaded when a bench runs.
 * why: its CLI's `-H k=v` mangles `=`-padded header values (base64), so the benches use the API.
 */
export async function loadAutocannon(): Promise<Autocannon> {
  return ((await import('autocannon' as string)) as { default: Autocannon }).default;
}

/** The value of the first IPC message from `child` that has `key` (and passes `match`). */
export function waitForMessage<T>(
  child: ChildProcess,
  key: string,
  match: (value: unknown) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Record<string, unknown>): void => {
      if (message && key in message && match(message[key])) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message[key] as T);
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`the child process exited (code ${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
