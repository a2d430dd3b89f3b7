// nova's cell database, shared by nova-api and nova-conductor (one SQLite file, as both use the same cell DB).
import { openDatabase, type Db } from './database.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS flavors (id TEXT PRIMARY KEY, name TEXT UNIQUE NOT NULL, vcpus INTEGER NOT NULL,
  memory_mb INTEGER NOT NULL, root_gb INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS instances (uuid TEXT PRIMARY KEY, display_name TEXT NOT NULL, project_id TEXT NOT NULL,
  user_id TEXT NOT NULL, image_ref TEXT NOT NULL, flavor_id TEXT NOT NULL, host TEXT, vm_state TEXT NOT NULL,
  task_state TEXT, created_at TEXT NOT NULL, updated_at TEXT);
INSERT OR IGNORE INTO flavors VALUES ('1', 'm1.tiny', 1, 512, 1), ('2', 'm1.small', 1, 2048, 20),
  ('3', 'm1.medium', 2, 4096, 40);
`;

/** Opens nova.db in the run's folder. */
export function openNovaDb(dataDir: string): Db {
  return openDatabase(dataDir, 'nova.db', SCHEMA);
}
