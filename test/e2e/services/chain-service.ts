// What every e2e chain service shares: its config, tracing setup, the /chain answer, and the IPC protocol.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { initFromConf } from '../../../src/config/initializer.js';
import { currentProfiler } from '../../../src/core/context.js';
import { flush } from '../../../src/notifier/lifecycle.js';

/** The JSON a service receives as its only argument. */
export interface ChainServiceConfig {
  project: string;
  service: string;
  /** e.g. `sqlite:////tmp/osp-e2e-x/traces.db`. */
  connectionString: string;
  /** `"old,new"`: the keys incoming trace headers may be signed with. */
  hmacKeys: string;
  /** Base URL of the next service; absent for the last one. */
  downstream?: string;
  /** For the Express service: `express` (5) or `express4`. */
  expressModule?: string;
}

/** What /chain answers. */
export interface ChainAnswer {
  status: number;
  body: string;
}

/** Messages from the test. */
interface TestMessage {
  flush?: number;
}

export const config = JSON.parse(process.argv[2] ?? '{}') as ChainServiceConfig;

/** initFromConf as a real service calls it: web tracing with the keys, outgoing requests traced. */
export async function setUpTracing(): Promise<void> {
  await initFromConf(
    {
      enabled: true,
      hmacKeys: config.hmacKeys.split(','),
      connectionString: config.connectionString,
      traceRequests: true,
    },
    // why: small interval so spans reach the file promptly; the test still waits on an explicit flush.
    { project: config.project, service: config.service, flushIntervalMs: 5 },
  );
}

/**
 * The answer to `GET /chain?<query>`: the last service answers `{service, traced}` with the
 * status asked for in `?status=`; the others call downstream with global fetch and wrap its
 * answer, passing its status on. `traced` tells whether the handler ran inside a trace, so a
 * request that must not be traced shows a difference in the body if it was.
 */
export async function answerChain(query: string): Promise<ChainAnswer> {
  const traced = currentProfiler() !== undefined;
  if (config.downstream === undefined) {
    const status = Number(new URLSearchParams(query).get('status') ?? 200);
    return { status, body: JSON.stringify({ service: config.service, traced }) };
  }
  const response = await fetch(`${config.downstream}/chain${query === '' ? '' : `?${query}`}`);
  const downstream = (await response.json()) as unknown;
  return { status: response.status, body: JSON.stringify({ service: config.service, traced, downstream }) };
}

/** The query string of a request target, without `?`. */
export function queryOf(url: string | undefined): string {
  const mark = (url ?? '').indexOf('?');
  return mark === -1 ? '' : (url ?? '').slice(mark + 1);
}

let inFlight = 0;
let idleWaiters: Array<() => void> = [];

/**
 * Counts requests whose response has not closed yet. The server span stops on the response's
 * 'finish', which Node always emits before 'close', so once this count is zero every span of the
 * requests answered so far has been handed to the notifier.
 */
function trackRequests(server: Server): void {
  server.prependListener('request', (_req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const wake of waiters) wake();
      }
    });
  });
}

function idle(): Promise<void> {
  return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
}

/**
 * Reports `{ready: port}` to the test once `server` listens, and answers `{flush: n}` with
 * `{flushed: n}` after every answered request's spans are written to the store.
 */
export function serveOverIpc(server: Server): void {
  trackRequests(server);
  const report = (): void => {
    process.send?.({ ready: (server.address() as AddressInfo).port });
  };
  if (server.listening) report();
  else server.listen(0, '127.0.0.1', report);
  process.on('message', (message: TestMessage) => {
    if (typeof message?.flush !== 'number') return;
    const id = message.flush;
    void idle()
      .then(() => flush())
      .then(() => process.send?.({ flushed: id }));
  });
  process.on('disconnect', () => process.exit(0));
}
