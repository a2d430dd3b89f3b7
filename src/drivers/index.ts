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
