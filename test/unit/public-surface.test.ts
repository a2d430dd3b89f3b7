// The package's entry points: what each exports (pinned), and that importing one loads no driver client or native addon.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const root = fileURLToPath(new URL('../..', import.meta.url));

const ENTRY_POINTS: Record<string, string> = {
  osprofiler: './src/index.ts',
  'osprofiler/web': './src/web.ts',
  'osprofiler/db': './src/db.ts',
  'osprofiler/rpc': './src/rpc.ts',
  'osprofiler/drivers': './src/drivers/index.ts',
  'osprofiler/report': './src/report/index.ts',
};

// why: a new export is a promise to users; this list changes only on purpose, with the docs.
const EXPORTS: Record<string, string[]> = {
  osprofiler: [
    'BadConnectionStringError',
    'clearNotifierCache',
    'listOpts',
    'ConfigError',
    'DriverMissingError',
    'DriverUnavailableError',
    'NotSupportedError',
    'OsprofilerError',
    'Profiler',
    'Trace',
    'TraceNotFoundError',
    'Traced',
    'X_TRACE_HMAC',
    'X_TRACE_INFO',
    'buildReport',
    'clean',
    'createNotifier',
    'disableWebTrace',
    'enableWebTrace',
    'flush',
    'flushOnExit',
    'generateHmac',
    'get',
    'getNotifier',
    'getShortenId',
    'getTraceIdHeaders',
    'init',
    'initFromConf',
    'isDbTraceEnabled',
    'isTraceEnabled',
    'loadConf',
    'notifierStats',
    'notify',
    'runWithProfiler',
    'setDefaults',
    'setLogSink',
    'setNotifier',
    'shortenId',
    'shutdown',
    'signedPack',
    'signedUnpack',
    'start',
    'stop',
    'trace',
    'traceClass',
    'uuidToInt128',
    'withTrace',
  ],
  'osprofiler/web': [
    'TracingAgent',
    'TracingHttpsAgent',
    'canHookHttpHeaders',
    'expressMiddleware',
    'fastifyPlugin',
    'koaMiddleware',
    'showCommandFor',
    'startTrace',
    'traceRequests',
    'untraceRequests',
    'wrapListener',
  ],
  'osprofiler/db': [
    'MAX_PARAMS',
    'MAX_PARAM_CHARS',
    'MAX_STATEMENT_CHARS',
    'instrumentMysql2',
    'instrumentPg',
    'instrumentSqlite',
  ],
  'osprofiler/rpc': [
    'CONTEXT_TRACE_INFO_KEY',
    'WORKER_TRACE_KEY',
    'extractContextTraceInfo',
    'injectContextTraceInfo',
    'instrumentAmqp',
    'readSignedTraceHeaders',
    'readTraceInfo',
    'restoreInWorker',
    'runInWorkerTrace',
    'serializeTraceInfo',
    'traceHeaders',
    'traceWorkerData',
    'withTraceHeaders',
    'withTraceInfo',
  ],
  'osprofiler/drivers': [
    'ElasticsearchDriver',
    'JaegerDriver',
    'LogInsightDriver',
    'MemoryDriver',
    'MemoryStore',
    'MessagingDriver',
    'MongoDriver',
    'NoopDriver',
    'OtlpDriver',
    'RedisDriver',
    'SqlDriver',
    'SqliteDriver',
    'createDriver',
    'knownSchemes',
    'normalizeConnectionString',
    'redactConnectionString',
    'registerDriver',
  ],
  'osprofiler/report': [
    'ReportBuilder',
    'buildReport',
    'compareReports',
    'criticalPath',
    'renderComparisonHtml',
    'renderComparisonText',
    'renderDot',
    'renderHtml',
    'renderJson',
    'renderTerminalTree',
    'renderTraceEvent',
    'reportStartTime',
    'spanLabel',
    'spanOperation',
  ],
};

const HEAVY_PACKAGES = [
  'better-sqlite3',
  'better-sqlite3-v13',
  'ioredis',
  'pg',
  'mysql2',
  'mongodb',
  'amqplib',
  '@elastic/elasticsearch',
];

/** Imports one entry point in a fresh process; returns its export names and the packages it loaded. */
function importFresh(entry: string): { exports: string[]; loaded: string[] } {
  const script = `
    import { createRequire } from 'node:module';
    const mod = await import(${JSON.stringify(entry)});
    const cache = Object.keys(createRequire(import.meta.url).cache);
    const loaded = ${JSON.stringify(HEAVY_PACKAGES)}.filter((p) => cache.some((k) => k.includes('/node_modules/' + p + '/')));
    console.log(JSON.stringify({ exports: Object.keys(mod).sort(), loaded }));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { exports: string[]; loaded: string[] };
}

describe('public entry points', () => {
  for (const [name, file] of Object.entries(ENTRY_POINTS)) {
    it(`${name} exports exactly its documented names and loads no driver client or native addon`, () => {
      const { exports, loaded } = importFresh(file);
      assert.deepEqual(exports, [...EXPORTS[name]].sort());
      assert.deepEqual(loaded, []);
    });
  }

  it('the check would see a client library that an import loads', () => {
    const { loaded } = importFresh('./src/drivers/sqlite/library.ts');
    assert.deepEqual(loaded, []);
    const script = `import { loadSqlite } from './src/drivers/sqlite/library.ts'; loadSqlite();
      import { createRequire } from 'node:module';
      console.log(Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/better-sqlite3')));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(run.stdout.trim(), 'true', run.stderr);
  });
});
