// Registers the built-in drivers; each one's module (and client library) loads only when used.
import { registerDriver, type DriverFactory, type DriverOptions } from './driver.js';
import type { MemoryStore } from './memory.js';

const memoryStores = new Map<string, MemoryStore>();

registerDriver('memory', async (connectionString: string, options: DriverOptions) => {
  const { MemoryDriver, MemoryStore } = await import('./memory.js');
  // why: one store per connection string, so a reader (CLI, test) sees what writers stored.
  let store = memoryStores.get(connectionString);
  if (store === undefined) memoryStores.set(connectionString, (store = new MemoryStore()));
  return new MemoryDriver(options, store);
});

registerDriver('noop', async () => new (await import('./noop.js')).NoopDriver());

registerDriver('sqlite', async (connectionString, options) => {
  const { createSqliteDriver } = await import('./sqlite/driver.js');
  return createSqliteDriver(connectionString, options);
});

registerDriver('redis', async (connectionString, options) => {
  const { createRedisDriver } = await import('./redis/driver.js');
  return createRedisDriver(connectionString, options);
});

registerDriver('redissentinel', async (connectionString, options) => {
  const { createRedisSentinelDriver } = await import('./redis/driver.js');
  return createRedisSentinelDriver(connectionString, options);
});

const sqlDriver: DriverFactory = async (connectionString, options) => {
  const { createSqlDriver } = await import('./sql/index.js');
  return createSqlDriver(connectionString, options);
};
for (const scheme of ['postgresql', 'postgresql+psycopg2', 'mysql', 'mysql+pymysql', 'mysql+mysqldb']) {
  registerDriver(scheme, sqlDriver);
}

const lazy =
  (load: () => Promise<DriverFactory>): DriverFactory =>
  async (cs, options) =>
    (await load())(cs, options);
const remote: Array<[string[], DriverFactory]> = [
  [['mongodb', 'mongodb+srv'], lazy(async () => (await import('./mongodb/driver.js')).createMongoDriver)],
  [
    ['elasticsearch', 'elasticsearch+https'],
    lazy(async () => (await import('./elasticsearch/driver.js')).createElasticsearchDriver),
  ],
  [['otlp', 'otlp+https'], lazy(async () => (await import('./otlp/driver.js')).createOtlpDriver)],
  [['jaeger', 'jaeger+https'], lazy(async () => (await import('./otlp/jaeger.js')).createJaegerDriver)],
  [['messaging'], lazy(async () => (await import('./messaging/driver.js')).createMessagingDriver)],
  [['loginsight'], lazy(async () => (await import('./loginsight/driver.js')).createLogInsightDriver)],
];
for (const [schemes, factory] of remote) for (const scheme of schemes) registerDriver(scheme, factory);
