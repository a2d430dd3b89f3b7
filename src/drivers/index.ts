// osprofiler/drivers: the driver registry and the built-in driver classes.
import './builtin.js';
export {
  registerDriver,
  createDriver,
  knownSchemes,
  normalizeConnectionString,
  redactConnectionString,
  type Driver,
  type DriverFactory,
  type DriverOptions,
} from './driver.js';
export { MemoryDriver, MemoryStore } from './memory.js';
export { NoopDriver } from './noop.js';
export { SqliteDriver } from './sqlite/driver.js';
export { RedisDriver } from './redis/driver.js';
export { SqlDriver } from './sql/index.js';
export { MongoDriver } from './mongodb/driver.js';
export { ElasticsearchDriver } from './elasticsearch/driver.js';
export { OtlpDriver } from './otlp/driver.js';
export { JaegerDriver } from './otlp/jaeger.js';
export { LogInsightDriver } from './loginsight/driver.js';
export { MessagingDriver } from './messaging/driver.js';
