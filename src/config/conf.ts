// The resolved configuration: code overrides > environment > INI file > defaults, plus setDefaults and the process-wide conf.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { debug } from '../log.js';
import { lineOf, readIniFile, type IniSections } from './ini.js';
import { OPTIONS, optionForField, type AnyOptionSpec } from './options.js';

/**
 * Every option of `[profiler]`, `[profiler_otlp]` and `[profiler_jaeger]`, typed and camelCased.
 * @since 0.1.0
 */
export interface ProfilerConf {
  /** `[profiler] enabled` (old name `profiler_enabled`). */
  enabled: boolean;
  /** `[profiler] trace_sqlalchemy`: trace database statements. */
  traceSqlalchemy: boolean;
  /** `[profiler] trace_requests`: trace outgoing HTTP requests. */
  traceRequests: boolean;
  /** `[profiler] hmac_keys`, split on commas, trimmed, empties dropped. */
  hmacKeys: string[];
  /** `[profiler] connection_string`; undefined means the embedded SQLite store. */
  connectionString?: string;
  esDocType: string;
  esScrollTime: string;
  esScrollSize: number;
  /** `[profiler] socket_timeout`, in seconds. */
  socketTimeout: number;
  sentinelServiceName: string;
  filterErrorTrace: boolean;
  /** `[profiler_otlp] service_name_prefix`. */
  otlpServiceNamePrefix?: string;
  /** `[profiler_jaeger] service_name_prefix`. */
  jaegerServiceNamePrefix?: string;
  /** `[profiler_jaeger] process_tags`. */
  jaegerProcessTags: Record<string, string>;
}

/** Values set from code: typed values, or text parsed as the INI file's would be. */
export type ConfOverrides = { [K in keyof ProfilerConf]?: ProfilerConf[K] | string };

/** Where `loadConf` reads from. */
export interface LoadConfOptions {
  /**
   * An INI file (e.g. the service's own config file), or several read in order, a later file's
   * value winning (oslo.config's repeated `--config-file`); their profiler sections are read.
   */
  file?: string | readonly string[];
  /**
   * A config directory, or several (oslo.config's `--config-dir`): each one's `*.conf` files are
   * read in sorted order after `file`, a later file's value winning. A missing directory is a
   * ConfigError.
   */
  configDir?: string | readonly string[];
  /**
   * Command-line arguments (e.g. `process.argv.slice(2)`): their `--config-file F` and
   * `--config-dir D` (also `--config-file=F`) are read after `file` and `configDir`, in the order
   * given, as oslo.config reads them; other arguments are ignored.
   */
  args?: readonly string[];
  /** Environment variables (default `process.env`); `{}` ignores the environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values from code; they win over everything else. */
  overrides?: ConfOverrides;
  /** Make the result the process-wide conf that `isTraceEnabled()` reads (default true). */
  setGlobal?: boolean;
}

const SET_DEFAULTS_FIELDS = [
  'enabled',
  'traceSqlalchemy',
  'hmacKeys',
  'connectionString',
  'esDocType',
  'esScrollTime',
  'esScrollSize',
  'socketTimeout',
  'sentinelServiceName',
] as const;

type SettableField = (typeof SET_DEFAULTS_FIELDS)[number];

/** What `setDefaults` may change: Python's `set_defaults` parameters (not filter_error_trace or trace_requests). */
export type SetDefaultsParams = { [K in SettableField]?: K extends 'hmacKeys' ? string | string[] : ProfilerConf[K] };

type Values = Partial<Record<keyof ProfilerConf, unknown>>;

const defaultOverlay: Values = {};
let globalConf: ProfilerConf | undefined;
// why: as oslo's set_default, a new default must not replace a value a source set explicitly.
const explicitFields = new WeakMap<object, Set<keyof ProfilerConf>>();

function copy<T>(value: T): T {
  if (Array.isArray(value)) return [...value] as T;
  if (typeof value === 'object' && value !== null) return { ...value };
  return value;
}

function defaultFor(spec: AnyOptionSpec): unknown {
  return copy(spec.field in defaultOverlay ? defaultOverlay[spec.field] : spec.default);
}

function fromIni(sections: IniSections, spec: AnyOptionSpec, file: string): [string, string] | undefined {
  const names = [{ group: spec.group, name: spec.name, old: false }];
  for (const d of spec.deprecatedNames) names.push({ group: d.group ?? spec.group, name: d.name, old: true });
  for (const n of names) {
    const section = sections[n.group];
    if (section === undefined || !Object.prototype.hasOwnProperty.call(section, n.name)) continue;
    if (n.old) debug('config: %s uses the deprecated name [%s] %s for %s', file, n.group, n.name, spec.name);
    const line = lineOf(section, n.name);
    const where = line === undefined ? file : `${file} line ${line}`;
    return [section[n.name], n.old ? `${where} (deprecated name ${n.name})` : where];
  }
  return undefined;
}

/** The value of `spec` in the last of `files` that sets it (oslo.config: a later file wins). */
function fromFiles(files: ReadonlyArray<[string, IniSections]>, spec: AnyOptionSpec): [string, string] | undefined {
  for (let i = files.length - 1; i >= 0; i--) {
    const found = fromIni(files[i][1], spec, files[i][0]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The `*.conf` files of a config directory in the order oslo.config reads them (sorted by name).
 * Throws ConfigError when the directory cannot be read. @since 0.1.0
 */
export function configDirFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`Cannot read config directory ${dir}: ${reason}`);
  }
  return names
    .filter((name) => name.endsWith('.conf'))
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => {
      try {
        return statSync(path).isFile();
      } catch {
        return false;
      }
    });
}

/**
 * The config files named by `--config-file`/`--config-dir` arguments, in oslo.config's order:
 * as given on the command line, each directory's `*.conf` sorted. @since 0.1.0
 */
export function configFilesFromArgs(args: readonly string[]): string[] {
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const match = /^--config-(file|dir)(?:=(.*))?$/.exec(arg);
    if (match === null) continue;
    const value = match[2] ?? args[++i];
    if (value === undefined || value === '') throw new ConfigError(`${arg} needs a path`);
    if (match[1] === 'file') files.push(value);
    else files.push(...configDirFiles(value));
  }
  return files;
}

function listOf(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

function envValue(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const text = env[name];
  // why: shells export empty variables to mean "unset"; treating them as values would surprise.
  return typeof text === 'string' && text !== '' ? text : undefined;
}

function track(conf: ProfilerConf, explicit: Set<keyof ProfilerConf>): ProfilerConf {
  explicitFields.set(conf, explicit);
  return conf;
}

/** A fresh conf holding the defaults (including those changed by `setDefaults`). @since 0.1.0 */
export function defaultConf(): ProfilerConf {
  const conf: Values = {};
  for (const spec of OPTIONS) conf[spec.field] = defaultFor(spec);
  return track(conf as ProfilerConf, new Set());
}

/**
 * Builds a conf from, in order of precedence, `overrides` > environment variables
 * (`OSPROFILER_<OPTION>`, then oslo.config's `OS_<GROUP>__<OPTION>`; empty ones are ignored) >
 * the INI files (`file`, then the `*.conf` of `configDir`; a later file wins) > defaults. An empty
 * value for a number or an optional string means "use the default". Throws `ConfigError` naming
 * the option, the bad value and where it came from (file and line, or the variable). Unless
 * `setGlobal: false`, the result becomes the process-wide conf (as loading config fills Python's
 * `cfg.CONF`). @since 0.1.0
 */
export function loadConf(options: LoadConfOptions = {}): ProfilerConf {
  const env = options.env ?? process.env;
  const paths = [
    ...listOf(options.file),
    ...listOf(options.configDir).flatMap(configDirFiles),
    ...configFilesFromArgs(options.args ?? []),
  ];
  const files = paths.map((path): [string, IniSections] => [path, readIniFile(path)]);
  const overrides = (options.overrides ?? {}) as Values;
  for (const field of Object.keys(overrides)) {
    if (!OPTIONS.some((o) => o.field === field))
      throw new ConfigError(`Unknown configuration field "${field}" in overrides`);
  }
  const conf: Values = {};
  const explicit = new Set<keyof ProfilerConf>();
  for (const spec of OPTIONS) {
    let value: unknown;
    const override = overrides[spec.field];
    const ours = envValue(env, spec.env);
    // why: OSPROFILER_* is this library's own and the more specific, so it wins over the
    // OS_<GROUP>__<OPTION> form that a deployment may set for every oslo.config service at once.
    const oslo = ours === undefined ? envValue(env, spec.osloEnv) : undefined;
    const iniText = files.length === 0 ? undefined : fromFiles(files, spec);
    if (override !== undefined) value = spec.parse(override, 'code overrides');
    else if (ours !== undefined) value = spec.parse(ours, `environment variable ${spec.env}`);
    else if (oslo !== undefined) value = spec.parse(oslo, `environment variable ${spec.osloEnv}`);
    else if (iniText !== undefined) value = spec.parse(iniText[0], iniText[1]);
    if (value === undefined) conf[spec.field] = defaultFor(spec);
    else {
      conf[spec.field] = value;
      explicit.add(spec.field);
    }
  }
  const result = track(conf as ProfilerConf, explicit);
  if (options.setGlobal !== false) globalConf = result;
  return result;
}

/** The process-wide conf: the last `loadConf` result (or `setGlobalConf`), else the defaults. @since 0.1.0 */
export function getGlobalConf(): ProfilerConf {
  globalConf ??= defaultConf();
  return globalConf;
}

/** Replaces the process-wide conf; `undefined` goes back to the defaults. @since 0.1.0 */
export function setGlobalConf(conf: ProfilerConf | undefined): void {
  globalConf = conf;
}

/**
 * Changes option defaults, as Python's `set_defaults(conf, ...)`: parameters left undefined are not
 * touched, values are validated (`ConfigError`), `filterErrorTrace`/`traceRequests` cannot be set
 * (Python's function has no such parameters). The new defaults are process-wide (later `loadConf`
 * calls use them), and `conf` (default: the process-wide conf) takes them for every field no source
 * set explicitly — for a plain object not made by `loadConf`, every field that is undefined.
 * @since 0.1.0
 */
export function setDefaults(conf: Partial<ProfilerConf> | undefined, params: SetDefaultsParams): void {
  const updates: Values = {};
  for (const [field, raw] of Object.entries(params) as Array<[string, unknown]>) {
    if (raw === undefined) continue;
    const spec = OPTIONS.find((o) => o.field === field);
    if (spec === undefined) throw new ConfigError(`setDefaults: unknown option "${field}"`);
    if (!(SET_DEFAULTS_FIELDS as readonly string[]).includes(field)) {
      throw new ConfigError(
        `setDefaults cannot set [${spec.group}] ${spec.name} (Python's set_defaults has no such parameter); ` +
          `set it in the config file, the environment or loadConf overrides`,
      );
    }
    const value = optionForField(spec.field).parse(raw, 'setDefaults');
    updates[spec.field] = value === undefined ? copy(spec.default) : value;
  }
  // why: validate every parameter before changing anything, so a bad call leaves no half-applied state.
  Object.assign(defaultOverlay, updates);
  const target = (conf ?? getGlobalConf()) as Values;
  const explicit = explicitFields.get(target);
  for (const field of Object.keys(updates) as Array<keyof ProfilerConf>) {
    const isDefault = explicit ? !explicit.has(field) : target[field] === undefined;
    if (isDefault) target[field] = copy(updates[field]);
  }
}

/** Forgets `setDefaults` changes and the process-wide conf (for tests). @since 0.1.0 */
export function resetConf(): void {
  for (const key of Object.keys(defaultOverlay) as Array<keyof ProfilerConf>) delete defaultOverlay[key];
  globalConf = undefined;
}

/** True when profiling is enabled in `conf` (default: the process-wide conf). @since 0.1.0 */
export function isTraceEnabled(conf?: Partial<ProfilerConf>): boolean {
  return (conf ?? getGlobalConf()).enabled === true;
}

/** True when profiling and database tracing (`trace_sqlalchemy`) are both enabled. @since 0.1.0 */
export function isDbTraceEnabled(conf?: Partial<ProfilerConf>): boolean {
  const c = conf ?? getGlobalConf();
  return c.enabled === true && c.traceSqlalchemy === true;
}
