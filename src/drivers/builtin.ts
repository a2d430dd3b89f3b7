// Registers the built-in drivers; each one's module (and client library) loads only when used.
import { registerDriver, type DriverOptions } from './driver.js';
import type { MemoryStore } from './memory.js';

const memoryStores = new Map<string, MemoryStore>();

registerDriver('memory', async (connectionString: string, options: DriverOptions) => {
  const { MemoryDriver, MemoryStore } = await import('./memory.js');
  // why: one store per connection string, so a reader (CLI, test) sees what writers stored.
  let store = memoryStores.get(connectionString);
  if (store === undefined) memoryStores.set(connectionString, (store = new MemoryStore()));
  return new MemoryDriver(options, store);
});
