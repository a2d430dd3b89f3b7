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
export { SqliteDriver } from './sqlite.js';
export { RedisDriver } from './redis.js';
export { SqlDriver } from './sql.js';
export { MongoDriver } from './mongodb.js';
export { ElasticsearchDriver } from './elasticsearch.js';
export { OtlpDriver } from './otlp.js';
export { JaegerDriver } from './jaeger.js';
export { LogInsightDriver } from './loginsight.js';
export { MessagingDriver } from './messaging.js';
