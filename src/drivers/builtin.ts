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

registerDriver('sqlite', async (connectionString, options) => {
  const { createSqliteDriver } = await import('./sqlite.js');
  return createSqliteDriver(connectionString, options);
});

registerDriver('redis', async (connectionString, options) => {
  const { createRedisDriver } = await import('./redis.js');
  return createRedisDriver(connectionString, options);
});

registerDriver('redissentinel', async (connectionString, options) => {
  const { createRedisSentinelDriver } = await import('./redis.js');
  return createRedisSentinelDriver(connectionString, options);
});

const sqlDriver: DriverFactory = async (connectionString, options) => {
  const { createSqlDriver } = await import('./sql.js');
  return createSqlDriver(connectionString, options);
};
for (const scheme of ['postgresql', 'postgresql+psycopg2', 'mysql', 'mysql+pymysql', 'mysql+mysqldb']) {
  registerDriver(scheme, sqlDriver);
}

registerDriver('mongodb', async (connectionString, options) => {
  const { createMongoDriver } = await import('./mongodb.js');
  return createMongoDriver(connectionString, options);
});

registerDriver('elasticsearch', async (connectionString, options) => {
  const { createElasticsearchDriver } = await import('./elasticsearch.js');
  return createElasticsearchDriver(connectionString, options);
});

registerDriver('otlp', async (connectionString, options) => {
  const { createOtlpDriver } = await import('./otlp.js');
  return createOtlpDriver(connectionString, options);
});

registerDriver('jaeger', async (connectionString, options) => {
  const { createJaegerDriver } = await import('./jaeger.js');
  return createJaegerDriver(connectionString, options);
});

registerDriver('loginsight', async (connectionString, options) => {
  const { createLogInsightDriver } = await import('./loginsight.js');
  return createLogInsightDriver(connectionString, options);
});
