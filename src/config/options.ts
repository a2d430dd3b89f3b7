// The table of every configuration option: name, type, defaults, env var, help and parser (single source for docs).
import type { ProfilerConf } from './conf.js';
import {
  boolParser,
  dictParser,
  keysParser,
  numberParser,
  optionalStringParser,
  stringParser,
  type OptionWhere,
  type ValueParser,
} from './parse.js';

export { parseBoolText, parseDictText } from './parse.js';

/** The INI sections (oslo.config groups) we read. */
export type OptionGroup = 'profiler' | 'profiler_jaeger' | 'profiler_otlp';

/** Groups in the order Python's `list_opts()` gives them. @since 0.1.0 */
export const OPTION_GROUPS: readonly OptionGroup[] = Object.freeze(['profiler', 'profiler_jaeger', 'profiler_otlp']);

/** oslo.config type names (`repr(opt.type)`), as in fixtures/config.json. */
export type OsloType = 'Boolean' | 'String' | 'Integer' | 'Float' | 'Dict';

/** oslo.config option classes. */
export type OsloOptClass = 'BoolOpt' | 'StrOpt' | 'IntOpt' | 'FloatOpt' | 'DictOpt';

/** A default as Python declares it (`null` is Python's `None`). */
export type PythonDefault = boolean | string | number | null | Readonly<Record<string, string>>;

/** An old name still read from INI files; `group: null` means the option's own group (oslo's convention). */
export interface DeprecatedName {
  readonly group: OptionGroup | null;
  readonly name: string;
}

/** One option: where it is read from, what it defaults to, and how a raw value becomes a typed one. */
export interface OptionSpec<K extends keyof ProfilerConf = keyof ProfilerConf> {
  readonly group: OptionGroup;
  /** The Python/INI name, e.g. `hmac_keys`. */
  readonly name: string;
  /** The `ProfilerConf` field it fills, e.g. `hmacKeys`. */
  readonly field: K;
  readonly type: OsloType;
  readonly optClass: OsloOptClass;
  /** Python's default (for docs and interop checks). */
  readonly pythonDefault: PythonDefault;
  /** Our default (frozen; `loadConf` copies it). Differs from Python only for `connection_string`. */
  readonly default: ProfilerConf[K];
  readonly help: string;
  /** The environment variable that sets it. */
  readonly env: string;
  /**
   * oslo.config's environment form of the option, `OS_<GROUP>__<OPTION>` upper-cased
   * (`OS_PROFILER__HMAC_KEYS`), as its environment source names it; `env` wins over it.
   */
  readonly osloEnv: string;
  readonly deprecatedNames: readonly DeprecatedName[];
  /** Never echo the value in errors or logs. */
  readonly secret: boolean;
  /** Present in Python OSProfiler 3.4.3 (the rest came later upstream). */
  readonly inPython343: boolean;
  /**
   * Turns text (INI, env) or a typed value (code) into the field's value. Returns `undefined` when
   * the value is empty and the option falls back to its default. Throws `ConfigError` naming the
   * group, option, value and (when given) `source`.
   */
  parse(value: unknown, source?: string): ProfilerConf[K] | undefined;
}

/** Any row of the table. */
export type AnyOptionSpec = { [K in keyof ProfilerConf]-?: OptionSpec<K> }[keyof ProfilerConf];

type Row<K extends keyof ProfilerConf> = Omit<
  OptionSpec<K>,
  'parse' | 'deprecatedNames' | 'secret' | 'inPython343' | 'osloEnv'
> & {
  parser: (where: OptionWhere) => ValueParser<ProfilerConf[K]>;
  deprecatedNames?: DeprecatedName[];
  secret?: boolean;
  inPython343?: boolean;
};

function row<K extends keyof ProfilerConf>(r: Row<K>): OptionSpec<K> {
  const { parser, ...rest } = r;
  const where: OptionWhere = { group: r.group, name: r.name, secret: r.secret ?? false };
  const dflt = r.default as unknown;
  if (typeof dflt === 'object' && dflt !== null) Object.freeze(dflt);
  return Object.freeze({
    ...rest,
    osloEnv: `OS_${r.group.toUpperCase()}__${r.name.toUpperCase()}`,
    deprecatedNames: Object.freeze(r.deprecatedNames ?? []),
    secret: r.secret ?? false,
    inPython343: r.inPython343 ?? true,
    parse: parser(where),
  });
}

const P = 'profiler' as const;

/**
 * Every option, in the order of Python's `list_opts()` (upstream head). @since 0.1.0
 */
export const OPTIONS: readonly AnyOptionSpec[] = Object.freeze([
  row({
    group: P,
    name: 'enabled',
    field: 'enabled',
    type: 'Boolean',
    optClass: 'BoolOpt',
    pythonDefault: false,
    default: false,
    env: 'OSPROFILER_ENABLED',
    parser: boolParser,
    deprecatedNames: [{ group: null, name: 'profiler_enabled' }],
    help: 'Turn profiling on for the services of this node. Even then, only requests signed with one of hmac_keys are traced.',
  }),
  row({
    group: P,
    name: 'trace_sqlalchemy',
    field: 'traceSqlalchemy',
    type: 'Boolean',
    optClass: 'BoolOpt',
    pythonDefault: false,
    default: false,
    env: 'OSPROFILER_TRACE_SQLALCHEMY',
    parser: boolParser,
    help: 'Record database statements as trace points (needs enabled). The name is kept from Python.',
  }),
  row({
    group: P,
    name: 'trace_requests',
    field: 'traceRequests',
    type: 'Boolean',
    optClass: 'BoolOpt',
    pythonDefault: false,
    default: false,
    env: 'OSPROFILER_TRACE_REQUESTS',
    parser: boolParser,
    inPython343: false,
    help: 'Record outgoing HTTP requests as trace points and pass the trace context on in their headers.',
  }),
  row({
    group: P,
    name: 'hmac_keys',
    field: 'hmacKeys',
    type: 'String',
    optClass: 'StrOpt',
    pythonDefault: 'SECRET_KEY',
    default: ['SECRET_KEY'],
    env: 'OSPROFILER_HMAC_KEYS',
    parser: keysParser,
    secret: true,
    help: 'Comma-separated shared secrets. A request is traced only when its trace headers are signed with one of them; change the default.',
  }),
  row({
    group: P,
    name: 'connection_string',
    field: 'connectionString',
    type: 'String',
    optClass: 'StrOpt',
    pythonDefault: 'messaging://',
    default: undefined,
    env: 'OSPROFILER_CONNECTION_STRING',
    parser: optionalStringParser,
    help: 'Where trace points are stored, e.g. redis://host:6379 or sqlite:///path. Unset: the embedded SQLite store (Python defaults to messaging://).',
  }),
  row({
    group: P,
    name: 'es_doc_type',
    field: 'esDocType',
    type: 'String',
    optClass: 'StrOpt',
    pythonDefault: 'notification',
    default: 'notification',
    env: 'OSPROFILER_ES_DOC_TYPE',
    parser: stringParser,
    help: 'Elasticsearch document type used when indexing notifications.',
  }),
  row({
    group: P,
    name: 'es_scroll_time',
    field: 'esScrollTime',
    type: 'String',
    optClass: 'StrOpt',
    pythonDefault: '2m',
    default: '2m',
    env: 'OSPROFILER_ES_SCROLL_TIME',
    parser: stringParser,
    help: 'How long Elasticsearch keeps a scroll search alive between pages (a time value such as 2m).',
  }),
  row({
    group: P,
    name: 'es_scroll_size',
    field: 'esScrollSize',
    type: 'Integer',
    optClass: 'IntOpt',
    pythonDefault: 10000,
    default: 10000,
    env: 'OSPROFILER_ES_SCROLL_SIZE',
    parser: (w) => numberParser(w, true, 1),
    help: 'How many documents each Elasticsearch scroll page returns.',
  }),
  row({
    group: P,
    name: 'socket_timeout',
    field: 'socketTimeout',
    type: 'Float',
    optClass: 'FloatOpt',
    pythonDefault: 0.1,
    default: 0.1,
    env: 'OSPROFILER_SOCKET_TIMEOUT',
    parser: (w) => numberParser(w, false, 0),
    help: 'Connection timeout in seconds for Redis Sentinel connections.',
  }),
  row({
    group: P,
    name: 'sentinel_service_name',
    field: 'sentinelServiceName',
    type: 'String',
    optClass: 'StrOpt',
    pythonDefault: 'mymaster',
    default: 'mymaster',
    env: 'OSPROFILER_SENTINEL_SERVICE_NAME',
    parser: stringParser,
    help: 'Name of the Redis master that Redis Sentinel watches.',
  }),
  row({
    group: P,
    name: 'filter_error_trace',
    field: 'filterErrorTrace',
    type: 'Boolean',
    optClass: 'BoolOpt',
    pythonDefault: false,
    default: false,
    env: 'OSPROFILER_FILTER_ERROR_TRACE',
    parser: boolParser,
    help: 'Also index traces that contain an error separately, so they can be listed on their own.',
  }),
  row({
    group: 'profiler_jaeger',
    name: 'service_name_prefix',
    field: 'jaegerServiceNamePrefix',
    type: 'String',
    optClass: 'StrOpt',
    pythonDefault: null,
    default: undefined,
    env: 'OSPROFILER_JAEGER_SERVICE_NAME_PREFIX',
    parser: optionalStringParser,
    inPython343: false,
    help: 'Prefix added to the service name reported to Jaeger.',
  }),
  row({
    group: 'profiler_jaeger',
    name: 'process_tags',
    field: 'jaegerProcessTags',
    type: 'Dict',
    optClass: 'DictOpt',
    pythonDefault: {},
    default: {},
    env: 'OSPROFILER_JAEGER_PROCESS_TAGS',
    parser: dictParser,
    inPython343: false,
    help: 'Tags attached to the Jaeger process, as key:value pairs separated by commas.',
  }),
  row({
    group: 'profiler_otlp',
    name: 'service_name_prefix',
    field: 'otlpServiceNamePrefix',
    type: 'String',
    optClass: 'StrOpt',
    pythonDefault: null,
    default: undefined,
    env: 'OSPROFILER_OTLP_SERVICE_NAME_PREFIX',
    parser: optionalStringParser,
    inPython343: false,
    help: 'Prefix added to the service.name sent to OTLP exporters.',
  }),
] as AnyOptionSpec[]);

/** The option with this group and name (current or deprecated name), or undefined. @since 0.1.0 */
export function findOption(group: string, name: string): AnyOptionSpec | undefined {
  return OPTIONS.find(
    (o) =>
      o.group === group &&
      (o.name === name || o.deprecatedNames.some((d) => (d.group ?? o.group) === group && d.name === name)),
  );
}

/** The option that fills this `ProfilerConf` field. @since 0.1.0 */
export function optionForField<K extends keyof ProfilerConf>(field: K): OptionSpec<K> {
  return OPTIONS.find((o) => o.field === field) as unknown as OptionSpec<K>;
}

/** `[[group, [names]]]` like Python's `osprofiler.opts.list_opts()` (upstream head). @since 0.1.0 */
export function listOpts(): Array<[OptionGroup, string[]]> {
  return OPTION_GROUPS.map((g) => [g, OPTIONS.filter((o) => o.group === g).map((o) => o.name)]);
}
