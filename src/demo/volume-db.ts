// cinder's database, shared by cinder-api and cinder-volume (one SQLite file).
import { openDatabase, type Db } from './database.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS volumes (id TEXT PRIMARY KEY, display_name TEXT NOT NULL, size INTEGER NOT NULL,
  status TEXT NOT NULL, host TEXT NOT NULL, project_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS volume_attachment (id TEXT PRIMARY KEY, volume_id TEXT NOT NULL, instance_uuid TEXT NOT NULL,
  attached_host TEXT NOT NULL, mountpoint TEXT NOT NULL, attach_status TEXT NOT NULL);
INSERT OR IGNORE INTO volumes VALUES
  ('d1f0b7a2-data', 'data-1', 10, 'available', 'lvm@lvmdriver-1', 'p-demo'),
  ('3c9e4f11-logs', 'logs-1', 5, 'available', 'lvm@lvmdriver-1', 'p-demo');
`;

/** Opens cinder.db in the run's folder. */
export function openCinderDb(dataDir: string): Db {
  return openDatabase(dataDir, 'cinder.db', SCHEMA);
}
