// The embedded default store: one per-user SQLite file used when no connection string is configured.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { redactConnectionString } from '../driver.js';

/** File name of the default store inside its folder. */
export const DEFAULT_STORE_FILE = 'traces.db';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The folder of the default store: `$OSPROFILER_HOME` when set (relative paths from the current
 * directory), else `~/.local/share/osprofiler`.
 * @since 0.1.0
 */
export function defaultStoreDir(env: Env = process.env): string {
  const home = env.OSPROFILER_HOME;
  if (home !== undefined && home.trim() !== '') return resolve(home);
  return join(homedir(), '.local', 'share', 'osprofiler');
}

/** Absolute path of the default store's file. @since 0.1.0 */
export function defaultStorePath(env: Env = process.env): string {
  return join(defaultStoreDir(env), DEFAULT_STORE_FILE);
}

/**
 * The connection string of the default store, in SQLAlchemy form: `sqlite:////abs/path/traces.db`
 * (`sqlite:///` + an absolute path). Services and the CLI both use it when nothing is configured,
 * so what a service writes is what `osprofiler trace list` reads.
 * @since 0.1.0
 */
export function defaultConnectionString(env: Env = process.env): string {
  return sqliteConnectionString(defaultStorePath(env));
}

/** `sqlite:///<path>` for a file path (absolute paths give the four-slash form). */
export function sqliteConnectionString(path: string): string {
  return `sqlite:///${path.replace(/\\/g, '/')}`;
}

/** Where a `sqlite://` connection string points. */
export interface SqliteLocation {
  /** `:memory:` for an in-memory database, else the absolute file path. */
  path: string;
  memory: boolean;
  /** Query parameters (`?mode=ro`), if any. */
  params: URLSearchParams;
}

/**
 * Parses a SQLAlchemy-style SQLite URL: `sqlite://` (in memory), `sqlite:///:memory:`,
 * `sqlite:///relative.db` (from `cwd`), `sqlite:////absolute/path.db`; `%xx` escapes are decoded,
 * a `?query` is split off. Returns undefined for another scheme or a host part (`sqlite://h/x`).
 * @since 0.1.0
 */
export function parseSqliteConnectionString(connectionString: string, cwd = process.cwd()): SqliteLocation | undefined {
  const match = /^sqlite:\/\/([^/?]*)(\/[^?]*)?(?:\?(.*))?$/i.exec(connectionString.trim());
  if (match === null || match[1] !== '') return undefined;
  const params = new URLSearchParams(match[3] ?? '');
  let rest = match[2] ?? '';
  rest = rest.slice(1); // the separator after the (empty) host
  try {
    rest = decodeURIComponent(rest);
  } catch {
    // why: a stray "%" in a path is kept literally rather than refusing the string.
  }
  if (rest === '' || rest === ':memory:') return { path: ':memory:', memory: true, params };
  return { path: isAbsolute(rest) ? rest : resolve(cwd, rest), memory: false, params };
}

/**
 * A sentence naming a store for people: "SQLite file /home/u/.local/share/osprofiler/traces.db
 * (the default store)", "SQLite in-memory database", or the connection string with any password
 * hidden. `connectionString` undefined means the default store.
 * @since 0.1.0
 */
export function describeStore(connectionString?: string, env: Env = process.env): string {
  const isDefault = connectionString === undefined || connectionString === defaultConnectionString(env);
  const text = connectionString ?? defaultConnectionString(env);
  const sqlite = parseSqliteConnectionString(text);
  if (sqlite !== undefined) {
    if (sqlite.memory) return 'SQLite in-memory database';
    return `SQLite file ${sqlite.path}${isDefault ? ' (the default store)' : ''}`;
  }
  return redactConnectionString(text);
}
