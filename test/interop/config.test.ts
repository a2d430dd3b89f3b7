// Checks the option table against Python OSProfiler's opts (fixtures/config.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture } from '../helpers/fixtures.js';
import { OPTIONS, OPTION_GROUPS, findOption, listOpts } from '../../src/config/options.js';
import { loadConf, setDefaults, resetConf } from '../../src/config/conf.js';
import { ConfigError } from '../../src/errors.js';

interface FixtureOption {
  group: string;
  name: string;
  opt_class: string;
  type: string;
  default: unknown;
  help_first_sentence: string;
  deprecated_names?: Array<{ group: string | null; name: string }>;
  secret?: boolean;
  in_3_4_3: boolean;
  in_head: boolean;
  head_differs?: { secret?: boolean };
}

interface ConfigFixture {
  list_opts_3_4_3: Array<[string, string[]]>;
  list_opts_head: Array<[string, string[]]>;
  groups: Array<{ name: string; in_3_4_3: boolean; in_head: boolean }>;
  options: FixtureOption[];
  set_defaults_params_3_4_3: string[];
  set_defaults_params_head: string[];
}

const fx = loadFixture<ConfigFixture>('config.json');

function spec(o: { group: string; name: string }) {
  const found = OPTIONS.find((s) => s.group === o.group && s.name === o.name);
  assert.ok(found, `missing option [${o.group}] ${o.name}`);
  return found;
}

test('the table has exactly the options of upstream head, in list_opts order', () => {
  assert.deepEqual(listOpts(), fx.list_opts_head);
  assert.equal(OPTIONS.length, fx.options.length);
});

test('the options present in 3.4.3 are marked so', () => {
  const ours = OPTION_GROUPS.map((g) => [
    g,
    OPTIONS.filter((o) => o.group === g && o.inPython343).map((o) => o.name),
  ]).filter(([, names]) => names.length > 0);
  assert.deepEqual(ours, fx.list_opts_3_4_3);
  for (const o of fx.options) assert.equal(spec(o).inPython343, o.in_3_4_3, o.name);
});

test('the groups are the fixture groups', () => {
  assert.deepEqual(
    [...OPTION_GROUPS].sort(),
    fx.groups
      .filter((g) => g.in_head)
      .map((g) => g.name)
      .sort(),
  );
});

for (const o of fx.options) {
  test(`[${o.group}] ${o.name} has Python's class, type and default`, () => {
    const s = spec(o);
    assert.equal(s.optClass, o.opt_class);
    assert.equal(s.type, o.type);
    assert.deepEqual(s.pythonDefault, o.default);
  });

  test(`[${o.group}] ${o.name} has Python's deprecated names and secrecy`, () => {
    const s = spec(o);
    assert.deepEqual(s.deprecatedNames, o.deprecated_names ?? []);
    for (const d of o.deprecated_names ?? []) assert.equal(findOption(d.group ?? o.group, d.name), s);
    const secretInHead = o.head_differs?.secret ?? o.secret ?? false;
    assert.equal(s.secret, secretInHead);
  });

  test(`[${o.group}] ${o.name} has its own help text and an OSPROFILER_ env var`, () => {
    const s = spec(o);
    assert.ok(s.help.length > 20);
    assert.notEqual(s.help, o.help_first_sentence);
    const prefix = o.group === 'profiler' ? '' : `${o.group.slice('profiler_'.length).toUpperCase()}_`;
    assert.equal(s.env, `OSPROFILER_${prefix}${o.name.toUpperCase()}`);
  });
}

test('loaded defaults equal Python defaults except connection_string and the typed forms', () => {
  const conf = loadConf({ env: {}, setGlobal: false });
  for (const o of fx.options) {
    const s = spec(o);
    const ours = conf[s.field];
    if (o.name === 'connection_string') assert.equal(ours, undefined);
    else if (o.name === 'hmac_keys') assert.deepEqual(ours, [o.default]);
    else if (o.default === null) assert.equal(ours, undefined);
    else assert.deepEqual(ours, o.default, o.name);
  }
});

test('hmac_keys text is split on commas, stripped and empties dropped', () => {
  const conf = loadConf({ env: { OSPROFILER_HMAC_KEYS: ' a , ,b,, c ' }, setGlobal: false });
  assert.deepEqual(conf.hmacKeys, ['a', 'b', 'c']);
});

test('setDefaults accepts exactly the parameters of Python set_defaults', () => {
  assert.deepEqual(fx.set_defaults_params_head, fx.set_defaults_params_3_4_3);
  const values: Record<string, unknown> = {
    enabled: true,
    trace_sqlalchemy: true,
    hmac_keys: 'k',
    connection_string: 'redis://h',
    es_doc_type: 'd',
    es_scroll_time: '1m',
    es_scroll_size: 5,
    socket_timeout: 1.5,
    sentinel_service_name: 'm',
  };
  try {
    for (const name of fx.set_defaults_params_head) {
      const s = spec({ group: 'profiler', name });
      assert.doesNotThrow(() => setDefaults({}, { [s.field]: values[name] }), name);
    }
    for (const s of OPTIONS.filter((o) => o.group !== 'profiler' || !fx.set_defaults_params_head.includes(o.name))) {
      assert.throws(() => setDefaults({}, { [s.field]: s.default ?? 'x' } as never), ConfigError, s.name);
    }
  } finally {
    resetConf();
  }
});
