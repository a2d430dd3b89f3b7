// loadConf precedence, setDefaults and the process-wide conf.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  configDirFiles,
  configFilesFromArgs,
  defaultConf,
  getGlobalConf,
  isDbTraceEnabled,
  isTraceEnabled,
  loadConf,
  resetConf,
  setDefaults,
  setGlobalConf,
} from '../../../src/config/conf.js';
import { ConfigError } from '../../../src/errors.js';
import { configErrorMessage as message } from '../../helpers/config-error.js';

afterEach(() => resetConf());

function withFile<T>(text: string, fn: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'osp-conf-'));
  try {
    const file = join(dir, 'svc.conf');
    writeFileSync(file, text);
    return fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const INI = `[DEFAULT]
debug = true

[profiler]
enabled = true
trace_sqlalchemy = yes
hmac_keys = from-file
connection_string = redis://file:6379
es_scroll_size = 50
socket_timeout = 0.5

[profiler_otlp]
service_name_prefix = ini-otlp

[profiler_jaeger]
service_name_prefix = ini-jaeger
process_tags = region:east, rack:7
`;

test('with no sources every field has its default', () => {
  assert.deepEqual(loadConf({ env: {} }), {
    enabled: false,
    traceSqlalchemy: false,
    traceRequests: false,
    hmacKeys: ['SECRET_KEY'],
    connectionString: undefined,
    esDocType: 'notification',
    esScrollTime: '2m',
    esScrollSize: 10000,
    socketTimeout: 0.1,
    sentinelServiceName: 'mymaster',
    filterErrorTrace: false,
    jaegerServiceNamePrefix: undefined,
    jaegerProcessTags: {},
    otlpServiceNamePrefix: undefined,
  });
});

test('the INI file fills the three profiler sections', () => {
  const conf = withFile(INI, (file) => loadConf({ file, env: {} }));
  assert.equal(conf.enabled, true);
  assert.equal(conf.traceSqlalchemy, true);
  assert.deepEqual(conf.hmacKeys, ['from-file']);
  assert.equal(conf.connectionString, 'redis://file:6379');
  assert.equal(conf.esScrollSize, 50);
  assert.equal(conf.socketTimeout, 0.5);
  assert.equal(conf.otlpServiceNamePrefix, 'ini-otlp');
  assert.equal(conf.jaegerServiceNamePrefix, 'ini-jaeger');
  assert.deepEqual(conf.jaegerProcessTags, { region: 'east', rack: '7' });
  assert.equal(conf.esDocType, 'notification');
});

test('environment variables win over the file and code overrides win over both', () => {
  const env = { OSPROFILER_HMAC_KEYS: 'env-key', OSPROFILER_ENABLED: 'off', OSPROFILER_JAEGER_PROCESS_TAGS: 'a:b' };
  const conf = withFile(INI, (file) => loadConf({ file, env, overrides: { enabled: true, socketTimeout: '2' } }));
  assert.deepEqual(conf.hmacKeys, ['env-key']);
  assert.equal(conf.enabled, true);
  assert.equal(conf.socketTimeout, 2);
  assert.deepEqual(conf.jaegerProcessTags, { a: 'b' });
  assert.equal(conf.traceSqlalchemy, true);
});

test('every option reads its OSPROFILER_ variable', () => {
  const conf = loadConf({
    env: {
      OSPROFILER_ENABLED: 'TRUE',
      OSPROFILER_TRACE_SQLALCHEMY: '1',
      OSPROFILER_TRACE_REQUESTS: 'on',
      OSPROFILER_HMAC_KEYS: 'a,b',
      OSPROFILER_CONNECTION_STRING: 'redis://e',
      OSPROFILER_ES_DOC_TYPE: 'doc',
      OSPROFILER_ES_SCROLL_TIME: '5m',
      OSPROFILER_ES_SCROLL_SIZE: '7',
      OSPROFILER_SOCKET_TIMEOUT: '3.5',
      OSPROFILER_SENTINEL_SERVICE_NAME: 'm2',
      OSPROFILER_FILTER_ERROR_TRACE: 'yes',
      OSPROFILER_OTLP_SERVICE_NAME_PREFIX: 'o',
      OSPROFILER_JAEGER_SERVICE_NAME_PREFIX: 'j',
      OSPROFILER_JAEGER_PROCESS_TAGS: 'k:v',
    },
  });
  assert.deepEqual(conf, {
    enabled: true,
    traceSqlalchemy: true,
    traceRequests: true,
    hmacKeys: ['a', 'b'],
    connectionString: 'redis://e',
    esDocType: 'doc',
    esScrollTime: '5m',
    esScrollSize: 7,
    socketTimeout: 3.5,
    sentinelServiceName: 'm2',
    filterErrorTrace: true,
    otlpServiceNamePrefix: 'o',
    jaegerServiceNamePrefix: 'j',
    jaegerProcessTags: { k: 'v' },
  });
});

test('empty environment variables are ignored', () => {
  const conf = withFile(INI, (file) => loadConf({ file, env: { OSPROFILER_ENABLED: '', OSPROFILER_HMAC_KEYS: '' } }));
  assert.equal(conf.enabled, true);
  assert.deepEqual(conf.hmacKeys, ['from-file']);
});

test('process.env is read when env is not given', () => {
  const saved = process.env.OSPROFILER_ES_DOC_TYPE;
  process.env.OSPROFILER_ES_DOC_TYPE = 'from-process';
  try {
    assert.equal(loadConf().esDocType, 'from-process');
  } finally {
    if (saved === undefined) delete process.env.OSPROFILER_ES_DOC_TYPE;
    else process.env.OSPROFILER_ES_DOC_TYPE = saved;
  }
});

test('the deprecated name profiler_enabled is read, and the new name wins over it', () => {
  const old = withFile('[profiler]\nprofiler_enabled = true\n', (file) => loadConf({ file, env: {} }));
  assert.equal(old.enabled, true);
  const both = withFile('[profiler]\nenabled = false\nprofiler_enabled = true\n', (file) =>
    loadConf({ file, env: {} }),
  );
  assert.equal(both.enabled, false);
});

test('empty values in the file mean the default for numbers and optional strings', () => {
  const conf = withFile('[profiler]\nes_scroll_size =\nsocket_timeout =\nconnection_string =\nhmac_keys =\n', (file) =>
    loadConf({ file, env: {} }),
  );
  assert.equal(conf.esScrollSize, 10000);
  assert.equal(conf.socketTimeout, 0.1);
  assert.equal(conf.connectionString, undefined);
  assert.deepEqual(conf.hmacKeys, []);
});

test('unknown options and other sections of the file are ignored', () => {
  const conf = withFile(
    '[DEFAULT]\nenabled = true\n[profiler]\nnot_an_option = 1\n[database]\nconnection = x\n',
    (file) => loadConf({ file, env: {} }),
  );
  assert.equal(conf.enabled, false);
});

test('invalid values name the option, the value and where it came from', () => {
  assert.equal(
    message(() => loadConf({ env: { OSPROFILER_ES_SCROLL_SIZE: 'lots' } })),
    '[profiler] es_scroll_size: invalid value "lots" from environment variable OSPROFILER_ES_SCROLL_SIZE (expected an integer >= 1)',
  );
  withFile('[profiler]\nprofiler_enabled = sure\n', (file) => {
    assert.equal(
      message(() => loadConf({ file, env: {} })),
      `[profiler] enabled: invalid value "sure" from ${file} line 2 (deprecated name profiler_enabled) ` +
        '(expected a boolean: true/false, yes/no, on/off or 1/0)',
    );
  });
  withFile('[profiler_jaeger]\nprocess_tags = nocolon\n', (file) => {
    assert.equal(
      message(() => loadConf({ file, env: {} })),
      `[profiler_jaeger] process_tags: invalid value "nocolon" from ${file} line 2 (expected key:value pairs separated by ",")`,
    );
  });
  assert.equal(
    message(() => loadConf({ env: {}, overrides: { socketTimeout: -3 } })),
    '[profiler] socket_timeout: invalid value -3 from code overrides (expected a number of seconds >= 0)',
  );
});

test('an unknown override field and a missing file are ConfigErrors', () => {
  assert.equal(
    message(() => loadConf({ env: {}, overrides: { enable: true } as never })),
    'Unknown configuration field "enable" in overrides',
  );
  assert.match(
    message(() => loadConf({ file: '/nonexistent/osp.conf', env: {} })),
    /^Cannot read config file \/nonexistent\/osp.conf/,
  );
});

test('loadConf makes its result the process-wide conf unless told not to', () => {
  assert.equal(isTraceEnabled(), false);
  const conf = loadConf({ env: {}, overrides: { enabled: true } });
  assert.equal(getGlobalConf(), conf);
  assert.equal(isTraceEnabled(), true);
  loadConf({ env: {}, overrides: { enabled: false }, setGlobal: false });
  assert.equal(isTraceEnabled(), true);
  setGlobalConf(undefined);
  assert.equal(isTraceEnabled(), false);
});

test('isTraceEnabled and isDbTraceEnabled read the given conf', () => {
  assert.equal(isTraceEnabled({ enabled: true }), true);
  assert.equal(isTraceEnabled({}), false);
  assert.equal(isDbTraceEnabled({ enabled: true, traceSqlalchemy: true }), true);
  assert.equal(isDbTraceEnabled({ enabled: false, traceSqlalchemy: true }), false);
  assert.equal(isDbTraceEnabled({ enabled: true, traceSqlalchemy: false }), false);
  setGlobalConf({ ...defaultConf(), enabled: true, traceSqlalchemy: true });
  assert.equal(isDbTraceEnabled(), true);
});

test('setDefaults changes the defaults of later loads but not explicit values', () => {
  setDefaults(undefined, { enabled: true, hmacKeys: 'x, y', connectionString: 'redis://d', esScrollSize: 5 });
  const conf = loadConf({ env: { OSPROFILER_ES_SCROLL_SIZE: '9' } });
  assert.equal(conf.enabled, true);
  assert.deepEqual(conf.hmacKeys, ['x', 'y']);
  assert.equal(conf.connectionString, 'redis://d');
  assert.equal(conf.esScrollSize, 9);
  assert.deepEqual(defaultConf().hmacKeys, ['x', 'y']);
});

test('setDefaults updates a loaded conf only where no source set the value', () => {
  const conf = withFile('[profiler]\nenabled = false\n', (file) => loadConf({ file, env: {}, setGlobal: false }));
  setDefaults(conf, { enabled: true, traceSqlalchemy: true, socketTimeout: 2 });
  assert.equal(conf.enabled, false);
  assert.equal(conf.traceSqlalchemy, true);
  assert.equal(conf.socketTimeout, 2);
});

test('setDefaults with no conf updates the process-wide conf', () => {
  setDefaults(undefined, { enabled: true });
  assert.equal(isTraceEnabled(), true);
  loadConf({ env: {}, overrides: { traceSqlalchemy: true } });
  setDefaults(undefined, { sentinelServiceName: 's' });
  assert.equal(getGlobalConf().sentinelServiceName, 's');
  assert.equal(isDbTraceEnabled(), true);
});

test('setDefaults on a plain object fills only its missing fields', () => {
  const partial: { enabled?: boolean; hmacKeys?: string[] } = { enabled: false };
  setDefaults(partial, { enabled: true, hmacKeys: ['k'] });
  assert.deepEqual(partial, { enabled: false, hmacKeys: ['k'] });
});

test('setDefaults ignores undefined parameters', () => {
  setDefaults(undefined, { enabled: undefined });
  assert.equal(loadConf({ env: {} }).enabled, false);
});

test('setDefaults rejects options Python set_defaults cannot set, unknown names and bad values', () => {
  assert.equal(
    message(() => setDefaults({}, { filterErrorTrace: true } as never)),
    "setDefaults cannot set [profiler] filter_error_trace (Python's set_defaults has no such parameter); " +
      'set it in the config file, the environment or loadConf overrides',
  );
  assert.match(
    message(() => setDefaults({}, { traceRequests: true } as never)),
    /^setDefaults cannot set \[profiler\] trace_requests/,
  );
  assert.match(
    message(() => setDefaults({}, { otlpServiceNamePrefix: 'p' } as never)),
    /^setDefaults cannot set \[profiler_otlp\] service_name_prefix/,
  );
  assert.equal(
    message(() => setDefaults({}, { bogus: 1 } as never)),
    'setDefaults: unknown option "bogus"',
  );
  assert.equal(
    message(() => setDefaults({}, { enabled: 'perhaps' as never })),
    '[profiler] enabled: invalid value "perhaps" from setDefaults (expected a boolean: true/false, yes/no, on/off or 1/0)',
  );
});

test('a setDefaults call with one bad value changes nothing', () => {
  assert.throws(() => setDefaults(undefined, { enabled: true, esScrollSize: -1 }), ConfigError);
  assert.equal(defaultConf().enabled, false);
  assert.equal(isTraceEnabled(), false);
});

test('confs never share mutable defaults', () => {
  const a = loadConf({ env: {}, setGlobal: false });
  a.hmacKeys.push('mutated');
  a.jaegerProcessTags.k = 'v';
  const b = loadConf({ env: {}, setGlobal: false });
  assert.deepEqual(b.hmacKeys, ['SECRET_KEY']);
  assert.deepEqual(b.jaegerProcessTags, {});
});

function withFiles<T>(files: Record<string, string>, fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'osp-conf-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("oslo.config's environment form OS_<GROUP>__<OPTION> is read", () => {
  const conf = loadConf({
    env: {
      OS_PROFILER__ENABLED: 'true',
      OS_PROFILER__HMAC_KEYS: 'k1,k2',
      OS_PROFILER__CONNECTION_STRING: 'redis://127.0.0.1:6379',
      OS_PROFILER_OTLP__SERVICE_NAME_PREFIX: 'otlp-prefix',
      OS_PROFILER_JAEGER__PROCESS_TAGS: 'a:1',
    },
  });
  assert.equal(conf.enabled, true);
  assert.deepEqual(conf.hmacKeys, ['k1', 'k2']);
  assert.equal(conf.connectionString, 'redis://127.0.0.1:6379');
  assert.equal(conf.otlpServiceNamePrefix, 'otlp-prefix');
  assert.deepEqual(conf.jaegerProcessTags, { a: '1' });
});

test('OSPROFILER_* wins over OS_PROFILER__*, both win over files, and a bad OS_ value names its variable', () => {
  withFile('[profiler]\nenabled = false\nhmac_keys = from-file\n', (file) => {
    const conf = loadConf({
      file,
      env: { OS_PROFILER__HMAC_KEYS: 'from-oslo', OSPROFILER_HMAC_KEYS: 'from-ours', OS_PROFILER__ENABLED: 'yes' },
    });
    assert.deepEqual(conf.hmacKeys, ['from-ours']);
    assert.equal(conf.enabled, true);
  });
  assert.match(
    message(() => loadConf({ env: { OS_PROFILER__ES_SCROLL_SIZE: 'lots' } })),
    /invalid value "lots" from environment variable OS_PROFILER__ES_SCROLL_SIZE/,
  );
});

test('several config files are read in order, the later winning (--config-file repeated)', () => {
  withFiles(
    {
      'a.conf': '[profiler]\nenabled = true\nhmac_keys = from-a\nes_scroll_size = 5\n',
      'b.conf': '[profiler]\nhmac_keys = from-b\n',
    },
    (dir) => {
      const conf = loadConf({ file: [join(dir, 'a.conf'), join(dir, 'b.conf')], env: {} });
      assert.deepEqual(conf.hmacKeys, ['from-b']);
      assert.equal(conf.enabled, true, 'what the later file does not set stays');
      assert.equal(conf.esScrollSize, 5);
    },
  );
});

test('a config directory adds its *.conf files in sorted order after the files (--config-dir)', () => {
  withFiles(
    {
      'svc.conf': '[profiler]\nhmac_keys = from-file\nenabled = true\n',
      'svc.conf.d/20-b.conf': '[profiler]\nhmac_keys = from-20\n',
      'svc.conf.d/10-a.conf': '[profiler]\nhmac_keys = from-10\nes_scroll_size = 7\n',
      'svc.conf.d/99-ignored.txt': '[profiler]\nhmac_keys = not-a-conf\n',
    },
    (dir) => {
      const conf = loadConf({ file: join(dir, 'svc.conf'), configDir: join(dir, 'svc.conf.d'), env: {} });
      assert.deepEqual(conf.hmacKeys, ['from-20']);
      assert.equal(conf.esScrollSize, 7);
      assert.equal(conf.enabled, true);
      assert.deepEqual(configDirFiles(join(dir, 'svc.conf.d')), [
        join(dir, 'svc.conf.d', '10-a.conf'),
        join(dir, 'svc.conf.d', '20-b.conf'),
      ]);
    },
  );
  assert.match(
    message(() => loadConf({ configDir: '/nonexistent/osp-conf.d', env: {} })),
    /\/nonexistent\/osp-conf\.d/,
  );
});

test('--config-file and --config-dir arguments are read in the order given (oslo.config)', () => {
  withFiles(
    {
      'first.conf': '[profiler]\nhmac_keys = first\nenabled = true\n',
      'd/a.conf': '[profiler]\nhmac_keys = dir\n',
      'last.conf': '[profiler]\nhmac_keys = last\n',
    },
    (dir) => {
      const args = ['--verbose', '--config-file', join(dir, 'first.conf'), `--config-dir=${join(dir, 'd')}`];
      assert.deepEqual(loadConf({ args, env: {} }).hmacKeys, ['dir']);
      const later = [...args, '--config-file', join(dir, 'last.conf')];
      assert.deepEqual(loadConf({ args: later, env: {} }).hmacKeys, ['last']);
      assert.deepEqual(configFilesFromArgs(later), [
        join(dir, 'first.conf'),
        join(dir, 'd', 'a.conf'),
        join(dir, 'last.conf'),
      ]);
    },
  );
  assert.match(
    message(() => loadConf({ args: ['--config-file'], env: {} })),
    /--config-file needs a path/,
  );
});

test('an invalid value in a file names the file and the line', () => {
  withFile('# comment\n[profiler]\nenabled = true\n\nes_scroll_size = lots\n', (file) => {
    assert.equal(
      message(() => loadConf({ file, env: {} })),
      `[profiler] es_scroll_size: invalid value "lots" from ${file} line 5 (expected an integer >= 1)`,
    );
  });
  withFiles({ 'a.conf': '[profiler]\nenabled = true\n', 'b.conf': '[profiler]\n\n\nenabled = maybe\n' }, (dir) => {
    assert.match(
      message(() => loadConf({ file: [join(dir, 'a.conf'), join(dir, 'b.conf')], env: {} })),
      new RegExp(`from ${join(dir, 'b.conf').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} line 4 `),
    );
  });
});
