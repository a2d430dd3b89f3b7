// identity (Keystone-like): tokens and users behind the HTTP middleware; every statement of its DB session traced.
import { randomUUID } from 'node:crypto';
import { openDatabase, type Db } from './database.js';
import { HttpError, header, requireToken, startApi, type ApiRequest, type TokenInfo } from './http-api.js';
import type { StartRole } from './runtime.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS project (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS user (id TEXT PRIMARY KEY, name TEXT UNIQUE NOT NULL, password TEXT NOT NULL,
  default_project_id TEXT NOT NULL, enabled INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS token (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at TEXT NOT NULL);
INSERT OR IGNORE INTO project VALUES ('p-demo', 'demo'), ('p-admin', 'admin');
INSERT OR IGNORE INTO user VALUES
  ('u-admin', 'admin', 'secret', 'p-admin', 1), ('u-demo', 'demo', 'secret', 'p-demo', 1),
  ('u-nova', 'nova', 'secret', 'p-admin', 1), ('u-glance', 'glance', 'secret', 'p-admin', 1);
`;

interface TokenRow {
  user_id: string;
  user_name: string;
  project_id: string;
  project_name: string;
}

function validate(db: Db, token: string): TokenInfo {
  const row = db
    .prepare(
      `SELECT user.id AS user_id, user.name AS user_name, project.id AS project_id, project.name AS project_name
       FROM token JOIN user ON user.id = token.user_id JOIN project ON project.id = user.default_project_id
       WHERE token.id = ? AND token.expires_at > ?`,
    )
    .get(token, new Date().toISOString()) as TokenRow | undefined;
  if (row === undefined) throw new HttpError(404, 'token not found');
  return {
    token: { user: { id: row.user_id, name: row.user_name }, project: { id: row.project_id, name: row.project_name } },
  };
}

function issueToken(db: Db, request: ApiRequest): { status: number; body: unknown; headers: Record<string, string> } {
  const { user, password } = request.body;
  const row = db.prepare('SELECT id FROM user WHERE name = ? AND password = ? AND enabled = 1').get(user, password) as
    { id: string } | undefined;
  if (row === undefined) throw new HttpError(401, 'the request you have made requires authentication');
  const token = `gAAAA${randomUUID().replaceAll('-', '')}`;
  const expires = new Date(Date.now() + 3600_000).toISOString();
  db.prepare('INSERT INTO token (id, user_id, expires_at) VALUES (?, ?, ?)').run(token, row.id, expires);
  return { status: 201, body: { ...validate(db, token), expires_at: expires }, headers: { 'x-subject-token': token } };
}

/** Starts identity's API: POST/GET /v3/auth/tokens (issue, validate), GET /v3/users. */
export const startIdentity: StartRole = async (runtime) => {
  const db = openDatabase(runtime.dataDir, 'keystone.db', SCHEMA);
  return startApi([
    ['POST', /^\/v3\/auth\/tokens$/, (request) => issueToken(db, request)],
    [
      'GET',
      /^\/v3\/auth\/tokens$/,
      (request) => {
        requireToken(request);
        return { body: validate(db, header(request, 'x-subject-token') ?? '') };
      },
    ],
    [
      'GET',
      /^\/v3\/users$/,
      (request) => {
        // why: keystone checks its own tokens locally, in the same (traced) DB session.
        validate(db, requireToken(request));
        const users = db.prepare('SELECT id, name, default_project_id, enabled FROM user ORDER BY name').all();
        return { body: { users } };
      },
    ],
  ]);
};
