// Loads a driver's optional peer package (pg, mysql2, ioredis, mongodb, amqplib, @elastic/elasticsearch).
import { DriverMissingError } from '../errors.js';

/** A loaded package's namespace; a CommonJS package's exports also sit under `default`. */
export type PeerModule = Record<string, unknown> & { default?: Record<string, unknown> };

/**
 * Imports an optional peer dependency on first use. Throws DriverMissingError naming the package
 * to install when that package itself is missing; any other failure (a broken install, a missing
 * module *inside* the package) surfaces unchanged, so it is not misreported as "install it".
 * `load` is the `import()` call, written at the call site so bundlers and tests can see/replace it.
 * @since 0.2.0
 */
export async function loadPeer(scheme: string, pkg: string, load: () => Promise<unknown>): Promise<PeerModule> {
  try {
    return (await load()) as PeerModule;
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown } | null;
    const missing = e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND';
    // why: the message names the specifier that failed; only the package itself means "install it".
    if (missing && String(e?.message).includes(`'${pkg}'`)) throw new DriverMissingError(scheme, pkg, error);
    throw error;
  }
}

/**
 * One export of a loaded peer: the named export, else the same name on its CommonJS `default`,
 * else (with `name` undefined) the default export itself. DriverMissingError when it is not a
 * function (a package of that name that is not the expected library).
 */
export function peerExport<T>(mod: PeerModule, scheme: string, pkg: string, name?: string): T {
  const value = name === undefined ? (mod.default ?? mod) : (mod[name] ?? mod.default?.[name]);
  if (typeof value !== 'function') throw new DriverMissingError(scheme, pkg);
  return value as T;
}
