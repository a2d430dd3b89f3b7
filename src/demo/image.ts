// image (Glance-like): image records behind the HTTP middleware, tokens checked with identity, DB traced.
import { openDatabase } from './database.js';
import { HttpError, authenticate, startApi } from './http-api.js';
import type { StartRole } from './runtime.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS images (id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL,
  disk_format TEXT NOT NULL, size INTEGER NOT NULL, visibility TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS image_locations (image_id TEXT NOT NULL, value TEXT NOT NULL);
INSERT OR IGNORE INTO images VALUES
  ('6f3a0c5e-cirros', 'cirros-0.6.2', 'active', 'qcow2', 21430272, 'public'),
  ('9b1d7c42-debian', 'debian-12', 'active', 'qcow2', 361955328, 'public');
`;

/** Starts image's API: GET /v2/images, GET /v2/images/{id}. */
export const startImage: StartRole = async (runtime) => {
  const db = openDatabase(runtime.dataDir, 'glance.db', SCHEMA);
  return startApi([
    [
      'GET',
      /^\/v2\/images$/,
      async (request) => {
        await authenticate(request, runtime.catalog.identity);
        const images = db.prepare("SELECT * FROM images WHERE visibility = 'public' ORDER BY name").all();
        return { body: { images } };
      },
    ],
    [
      'GET',
      /^\/v2\/images\/([^/]+)$/,
      async (request) => {
        await authenticate(request, runtime.catalog.identity);
        const image = db
          .prepare('SELECT * FROM images WHERE id = ? OR name = ?')
          .get(request.params[0], request.params[0]);
        if (image === undefined) throw new HttpError(404, `image ${request.params[0]} not found`);
        return { body: image };
      },
    ],
  ]);
};
