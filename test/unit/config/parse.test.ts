// Value parsers: oslo.config's Boolean/Integer/Float/Dict rules and every error message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optionForField } from '../../../src/config/options.js';
import { parseBoolText, parseDictText } from '../../../src/config/parse.js';
import { webTraceState, enableWebTrace, resetWebTrace } from '../../../src/config/web-trace.js';
import { parseHmacKeys } from '../../../src/propagation/headers.js';
import { resolveWebOptions } from '../../../src/instrumentation/http-server/options.js';
import { ConfigError } from '../../../src/errors.js';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, 'a ConfigError');
    assert.equal(err.code, 'OSP_ERR_CONFIG');
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

test('booleans accept oslo words in any case', () => {
  for (const w of ['true', 'TRUE', 'Yes', 'on', '1']) assert.equal(parseBoolText(w), true, w);
  for (const w of ['false', 'No', 'OFF', '0']) assert.equal(parseBoolText(w), false, w);
  for (const w of ['', 'y', 'n', '2', 'enabled', 'truee']) assert.equal(parseBoolText(w), undefined, w);
  assert.equal(optionForField('enabled').parse(true), true);
});

test('an invalid boolean names the group, option, value and source', () => {
  assert.equal(
    message(() => optionForField('enabled').parse('maybe', 'environment variable OSPROFILER_ENABLED')),
    '[profiler] enabled: invalid value "maybe" from environment variable OSPROFILER_ENABLED ' +
      '(expected a boolean: true/false, yes/no, on/off or 1/0)',
  );
  assert.equal(
    message(() => optionForField('filterErrorTrace').parse('')),
    '[profiler] filter_error_trace: invalid value "" (expected a boolean: true/false, yes/no, on/off or 1/0)',
  );
  assert.equal(
    message(() => optionForField('traceRequests').parse(1)),
    '[profiler] trace_requests: invalid value 1 (expected a boolean: true/false, yes/no, on/off or 1/0)',
  );
});

test('strings are kept as given and must be strings', () => {
  assert.equal(optionForField('esScrollTime').parse(' 5m '), ' 5m ');
  assert.equal(optionForField('esDocType').parse(''), '');
  assert.equal(
    message(() => optionForField('sentinelServiceName').parse(null, 'code overrides')),
    '[profiler] sentinel_service_name: invalid value null from code overrides (expected a string)',
  );
});

test('optional strings treat the empty string as unset', () => {
  assert.equal(optionForField('connectionString').parse(''), undefined);
  assert.equal(optionForField('connectionString').parse('redis://h:6379'), 'redis://h:6379');
  assert.equal(optionForField('otlpServiceNamePrefix').parse('nova'), 'nova');
  assert.equal(
    message(() => optionForField('jaegerServiceNamePrefix').parse(['a'])),
    '[profiler_jaeger] service_name_prefix: invalid value an array (expected a string)',
  );
});

test('integers accept digits, a sign and underscores; empty means the default', () => {
  const p = optionForField('esScrollSize');
  assert.equal(p.parse(' 42 '), 42);
  assert.equal(p.parse('+7'), 7);
  assert.equal(p.parse('1_000'), 1000);
  assert.equal(p.parse(12), 12);
  assert.equal(p.parse('  '), undefined);
});

test('invalid integers are rejected with the expected range', () => {
  const p = optionForField('esScrollSize');
  const tail = ' (expected an integer >= 1)';
  assert.equal(
    message(() => p.parse('ten')),
    `[profiler] es_scroll_size: invalid value "ten"${tail}`,
  );
  assert.equal(
    message(() => p.parse('1.5')),
    `[profiler] es_scroll_size: invalid value "1.5"${tail}`,
  );
  assert.equal(
    message(() => p.parse('0')),
    `[profiler] es_scroll_size: invalid value "0"${tail}`,
  );
  assert.equal(
    message(() => p.parse(2.5)),
    `[profiler] es_scroll_size: invalid value 2.5${tail}`,
  );
  assert.equal(
    message(() => p.parse(true)),
    `[profiler] es_scroll_size: invalid value true${tail}`,
  );
  assert.equal(
    message(() => p.parse('99999999999999999999')),
    `[profiler] es_scroll_size: invalid value "99999999999999999999"${tail}`,
  );
});

test('floats accept decimal and exponent forms', () => {
  const p = optionForField('socketTimeout');
  assert.equal(p.parse('0.5'), 0.5);
  assert.equal(p.parse('2'), 2);
  assert.equal(p.parse('.25'), 0.25);
  assert.equal(p.parse('1e-1'), 0.1);
  assert.equal(p.parse('0'), 0);
  assert.equal(p.parse(3), 3);
  assert.equal(p.parse(''), undefined);
});

test('invalid floats, negatives, NaN and infinities are rejected', () => {
  const p = optionForField('socketTimeout');
  const tail = ' (expected a number of seconds >= 0)';
  assert.equal(
    message(() => p.parse('fast')),
    `[profiler] socket_timeout: invalid value "fast"${tail}`,
  );
  assert.equal(
    message(() => p.parse('-1')),
    `[profiler] socket_timeout: invalid value "-1"${tail}`,
  );
  assert.equal(
    message(() => p.parse('inf')),
    `[profiler] socket_timeout: invalid value "inf"${tail}`,
  );
  assert.equal(
    message(() => p.parse(Number.NaN)),
    `[profiler] socket_timeout: invalid value NaN${tail}`,
  );
  assert.equal(
    message(() => p.parse(Infinity)),
    `[profiler] socket_timeout: invalid value Infinity${tail}`,
  );
});

test("hmac keys are read as Python's _utils.split reads them: text split and str.strip()ped, a list as it is", () => {
  // why: U+001F is whitespace to Python's str.strip() but not to JS trim(); U+FEFF the other way round.
  assert.deepEqual(parseHmacKeys(' a , b ,, c'), ['a', 'b', 'c']);
  assert.deepEqual(parseHmacKeys('\u001fa\u001f,\ufeffb'), ['a', '\ufeffb']);
  assert.deepEqual(parseHmacKeys(''), []);
  assert.deepEqual(parseHmacKeys(undefined), []);
  // Python keeps a list unchanged; beyond Python, a blank key (which anyone can sign with) is dropped.
  assert.deepEqual(parseHmacKeys([' x ', '', ' \t']), [' x ']);
});

test('configuration, enableWebTrace and the middleware options read the same keys from the same input', () => {
  for (const input of [' k1 ,\u001fk2 ,,\ufeffk3', [' k1 ', 'k2', '']]) {
    const expected = parseHmacKeys(input);
    assert.deepEqual(optionForField('hmacKeys').parse(input), expected);
    enableWebTrace(input as string | string[]);
    assert.deepEqual([...webTraceState().hmacKeys], expected);
    resetWebTrace();
    assert.deepEqual([...resolveWebOptions({ hmacKeys: input as string | string[] }).hmacKeys], expected);
  }
});

test('an invalid hmac_keys value never shows the secret', () => {
  assert.equal(
    message(() => optionForField('hmacKeys').parse(12345, 'code overrides')),
    '[profiler] hmac_keys: invalid value a number from code overrides (expected comma-separated keys or an array of strings)',
  );
  assert.equal(
    message(() => optionForField('hmacKeys').parse(['ok', 7])),
    '[profiler] hmac_keys: invalid value an array (expected comma-separated keys or an array of strings)',
  );
});

test('dicts parse k:v pairs as oslo DictOpt does', () => {
  assert.deepEqual(parseDictText(''), {});
  assert.deepEqual(parseDictText(' a : 1 , b:2 '), { a: '1', b: '2' });
  assert.deepEqual(parseDictText('url:http://h:1'), { url: 'http://h:1' });
  assert.deepEqual(parseDictText('a:'), { a: '' });
  // a piece without ':' is glued to the next one, comma included
  assert.deepEqual(parseDictText('a,b:2'), { 'a,b': '2' });
  const proto = parseDictText('__proto__:x') as Record<string, string>;
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.deepEqual(Object.keys(proto), ['__proto__']);
});

test('invalid dicts are rejected with the reason', () => {
  const p = optionForField('jaegerProcessTags');
  assert.equal(
    message(() => p.parse('a:1,b')),
    '[profiler_jaeger] process_tags: invalid value "a:1,b" (expected key:value pairs separated by ",")',
  );
  assert.equal(
    message(() => p.parse(':1')),
    '[profiler_jaeger] process_tags: invalid value ":1" (expected key:value pairs with non-empty keys)',
  );
  assert.equal(
    message(() => p.parse('a:1,a:2')),
    '[profiler_jaeger] process_tags: invalid value "a:1,a:2" (expected key:value pairs without the duplicate key "a")',
  );
  assert.equal(
    message(() => p.parse({ a: 1 })),
    '[profiler_jaeger] process_tags: invalid value an object (expected an object of string values)',
  );
  assert.equal(
    message(() => p.parse(5)),
    '[profiler_jaeger] process_tags: invalid value 5 (expected key:value pairs separated by ",")',
  );
  assert.deepEqual(p.parse({ a: 'b' }), { a: 'b' });
});

test('very long invalid values are shortened in messages', () => {
  const long = 'x'.repeat(500);
  const msg = message(() => optionForField('enabled').parse(long));
  assert.ok(msg.length < 300);
  assert.ok(msg.includes('…'));
});
