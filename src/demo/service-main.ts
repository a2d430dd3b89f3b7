// Entry point of one demo service process: configures osprofiler as the service would, opens the bus, starts its role.
import { flush, initFromConf, shutdown } from '../index.js';
import type { Bus } from './bus.js';
import { ProcessBus } from './bus.js';
import { startCompute } from './compute.js';
import { startComputeApi } from './compute-api.js';
import { startConductor } from './conductor.js';
import { startIdentity } from './identity.js';
import { startImage } from './image.js';
import { startNetworkAgent } from './network-agent.js';
import { startNetworkServer } from './network-server.js';
import { ROLES, type Control, type ServiceConfig, type ServiceReport } from './roles.js';
import type { Catalog, Runtime, StartRole } from './runtime.js';
import { startScheduler } from './scheduler.js';
import { startVolume } from './volume.js';
import { startVolumeApi } from './volume-api.js';

const STARTERS: Record<string, StartRole> = {
  identity: startIdentity,
  image: startImage,
  'compute-api': startComputeApi,
  conductor: startConductor,
  scheduler: startScheduler,
  compute: startCompute,
  network: startNetworkServer,
  'network-agent': startNetworkAgent,
  'volume-api': startVolumeApi,
  volume: startVolume,
};

function report(message: ServiceReport): void {
  if (process.connected) process.send?.(message);
}

const config = JSON.parse(process.argv[2] ?? '{}') as ServiceConfig;
const role = ROLES.find((r) => r.name === config.role);
const start = STARTERS[config.role];
let bus: Bus | undefined;
let stopping = false;

async function stop(code: number): Promise<never> {
  // why: a store or broker that does not answer must not keep this process alive after its runner is gone.
  setTimeout(() => process.exit(code), 3000).unref();
  if (!stopping) {
    stopping = true;
    await bus?.close().catch(() => undefined);
    await shutdown();
  }
  process.exit(code);
}

// why: the runner owns this process; when it goes away (exit, crash, SIGKILL) the channel closes and so do we.
process.on('disconnect', () => void stop(0));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));

const catalog = {} as Catalog;
process.on('message', (message: Control) => {
  if ('catalog' in message) Object.assign(catalog, message.catalog);
  else if ('flush' in message) void flush().then(() => report({ flushed: message.flush }));
  else if ('stop' in message) void stop(0);
});

try {
  if (role === undefined || start === undefined) throw new Error(`unknown role ${config.role}`);
  // why: the [profiler] options an OpenStack service reads from its config file, as code.
  await initFromConf(
    {
      enabled: true,
      hmacKeys: [config.hmacKey],
      connectionString: config.connectionString,
      traceSqlalchemy: true,
      traceRequests: true,
    },
    { project: role.project, service: role.service, flushIntervalMs: 20 },
  );
  if (config.transportUrl !== undefined) {
    const { AmqpBus } = await import('./bus-amqp.js');
    bus = await AmqpBus.open(config.transportUrl, config.queuePrefix);
  } else {
    bus = new ProcessBus();
  }
  const port = await start({ dataDir: config.dataDir, bus, hmacKeys: [config.hmacKey], catalog } satisfies Runtime);
  report({ ready: { port: port ?? null } });
} catch (error) {
  report({ failed: error instanceof Error ? error.message : String(error) });
  await stop(1);
}
