import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { buildReport, ReportBuilder, type SkipReason } from '../../../src/report/build.js';
import { renderDot } from '../../../src/report/dot.js';
import { renderJson } from '../../../src/report/json.js';
import type { ReportNode, StoredNotification } from '../../../src/report/types.js';

const BASE = 'base-0000';

function ts(us: number): string {
  // 2024-05-14T09:30:12 + us microseconds, formatted as the profiler stores it
  const ms = Date.UTC(2024, 4, 14, 9, 30, 12) + Math.floor(us / 1000);
  return new Date(ms).toISOString().slice(0, 19) + '.' + String((us % 1_000_000) + 1_000_000).slice(1);
}

function rec(
  name: string,
  traceId: string,
  parentId: string,
  us: number,
  info: Record<string, unknown> = {},
  extra: Partial<StoredNotification> = {},
): StoredNotification {
  return {
    name,
    base_id: BASE,
    trace_id: traceId,
    parent_id: parentId,
    timestamp: ts(us),
    info: { ...info, host: 'h1' },
    project: 'p',
    service: 's',
    ...extra,
  };
}

function span(name: string, id: string, parent: string, startUs: number, stopUs: number): StoredNotification[] {
  return [rec(`${name}-stop`, id, parent, stopUs), rec(`${name}-start`, id, parent, startUs)];
}

/** Depth of the deepest node, walked without recursion. */
function maxDepth(roots: ReportNode[]): number {
  let max = 0;
  const stack: [ReportNode, number][] = roots.map((r) => [r, 1]);
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [ReportNode, number];
    if (depth > max) max = depth;
    for (const c of node.children) stack.push([c, depth + 1]);
  }
  return max;
}

describe('buildReport', () => {
  it('an empty input gives Python’s empty report (finished and last_trace_started null)', () => {
    const report = buildReport([]);
    assert.equal(
      JSON.stringify(report),
      '{"info":{"name":"total","started":0,"finished":null,"last_trace_started":null},"children":[],"stats":{}}',
    );
  });

  it('lays info keys out in consumption order: stop first gives finished, exception, then the start', () => {
    const report = buildReport(span('db', 'a', BASE, 1000, 3500));
    assert.deepEqual(Object.keys(report.children[0].info), [
      'name',
      'project',
      'service',
      'host',
      'meta.raw_payload.db-stop',
      'finished',
      'exception',
      'meta.raw_payload.db-start',
      'started',
    ]);
    assert.deepEqual(Object.keys(report.children[0]), ['info', 'trace_id', 'parent_id', 'children']);
    assert.equal(report.children[0].info.started, 0);
    assert.equal(report.children[0].info.finished, 2);
  });

  it('a start-only point gets finished = started and no exception key', () => {
    const report = buildReport([rec('db-start', 'a', BASE, 0)]);
    assert.deepEqual(Object.keys(report.children[0].info), [
      'name',
      'project',
      'service',
      'host',
      'meta.raw_payload.db-start',
      'started',
      'finished',
    ]);
  });

  it('a trace made only of stops reports last_trace_started null instead of failing', () => {
    const report = buildReport([rec('db-stop', 'a', BASE, 777)]);
    assert.deepEqual(report.info, { name: 'total', started: 0, finished: 0, last_trace_started: null });
    assert.deepEqual(Object.keys(report.children[0].info).slice(-3), ['finished', 'exception', 'started']);
  });

  it('reads the exception from info.etype: missing gives "None", null stays null', () => {
    const report = buildReport([
      rec('a-stop', 'a', BASE, 10, { etype: 'ValueError', message: 'x' }),
      rec('b-stop', 'b', BASE, 20, { etype: null }),
      rec('c-stop', 'c', BASE, 30),
      { ...rec('d-stop', 'd', BASE, 40), info: 'not a dict' } as unknown as StoredNotification,
    ]);
    assert.deepEqual(
      report.children.map((c) => c.info.exception),
      ['ValueError', null, 'None', 'None'],
    );
  });

  it('takes the text before the first hyphen as name and treats any name ending in "stop" as a stop', () => {
    const report = buildReport([
      rec('image-upload-start', 'a', BASE, 0),
      rec('checkpoint', 'b', BASE, 1000),
      rec('nonstop', 'c', BASE, 2000),
    ]);
    assert.deepEqual(
      report.children.map((c) => c.info.name),
      ['image', 'checkpoint', 'nonstop'],
    );
    assert.ok('started' in report.children[1].info && !('exception' in report.children[1].info));
    assert.equal(report.children[2].info.exception, 'None');
    assert.equal(report.info.last_trace_started, 1);
  });

  it('sorts siblings stably on truncated milliseconds, so same-ms starts keep first-seen order', () => {
    const report = buildReport([
      rec('x-start', 'late-in-ms', BASE, 5900),
      rec('x-start', 'early-in-ms', BASE, 5100),
      rec('x-start', 'first', BASE, 1000),
    ]);
    assert.deepEqual(
      report.children.map((c) => c.trace_id),
      ['first', 'late-in-ms', 'early-in-ms'],
    );
  });

  it('a missing info.host gives host null instead of failing', () => {
    const r = rec('db-start', 'a', BASE, 0);
    r.info = {};
    const report = buildReport([r]);
    assert.equal(report.children[0].info.host, null);
    assert.deepEqual(Object.keys(report.children[0].info).slice(0, 4), ['name', 'project', 'service', 'host']);
  });

  it('takes host and raw payload from hostOf / rawPayloadOf (SQL rows)', () => {
    const rows = [{ ...rec('db-start', 'a', BASE, 0), host: 'row-host', data: { info: { etype: 'E' } } }];
    const report = buildReport(rows, { hostOf: (r) => r.host, rawPayloadOf: (r) => r.data });
    assert.equal(report.children[0].info.host, 'row-host');
    assert.deepEqual(report.children[0].info['meta.raw_payload.db-start'], { info: { etype: 'E' } });
  });

  it('skips records Python would fail on and says why, without throwing', () => {
    const seen: SkipReason[] = [];
    const bad = [
      null,
      'text',
      { ...rec('db-start', 'a', BASE, 0), timestamp: '2016-04-18T17:42:11' },
      { ...rec('db-start', 'a', BASE, 0), timestamp: '2016-12-31T23:59:60.1' },
      { ...rec('db-start', 'a', BASE, 0), timestamp: 12 },
      { ...rec('db-start', 'a', BASE, 0), name: 42 },
    ] as unknown as StoredNotification[];
    const report = buildReport([...bad, ...span('wsgi', 'w', BASE, 0, 2000)], { onSkip: (_r, why) => seen.push(why) });
    assert.deepEqual(seen, [
      'not-an-object',
      'not-an-object',
      'bad-timestamp',
      'bad-timestamp',
      'bad-timestamp',
      'bad-name',
    ]);
    assert.equal(report.children.length, 1);
    assert.equal(report.info.finished, 2);
  });

  it('keeps first-seen identity for a re-used trace_id and last-seen timings, counting every timestamp', () => {
    const report = buildReport([
      rec('rpc-stop', 'r', 'p1', 9000, {}, { service: 'first' }),
      rec('rpc-start', 'r', 'p2', 1000, {}, { service: 'second' }),
      rec('rpc-stop', 'r', 'p2', 4000),
      rec('rpc-start', 'r', 'p2', 3000),
    ]);
    const info = report.children[0].info;
    assert.equal(info.service, 'first');
    assert.equal(report.children[0].parent_id, 'p1');
    assert.deepEqual([info.started, info.finished], [2, 3]);
    assert.deepEqual(report.info, { name: 'total', started: 0, finished: 8, last_trace_started: 2 });
  });

  it('makes orphans top-level with their parent_id and children kept', () => {
    const report = buildReport([
      ...span('db', 'child', 'orphan', 100, 200),
      ...span('db', 'orphan', 'missing', 0, 500),
    ]);
    assert.equal(report.children.length, 1);
    assert.equal(report.children[0].parent_id, 'missing');
    assert.equal(report.children[0].children[0].trace_id, 'child');
  });

  it('cuts parent cycles at the earliest-seen point instead of nesting points into themselves', () => {
    const report = buildReport([
      rec('x-start', 'self', 'self', 0),
      rec('x-start', 'a', 'b', 1000),
      rec('x-start', 'b', 'a', 2000),
      rec('x-start', 'tail', 'b', 3000),
    ]);
    assert.deepEqual(
      report.children.map((c) => c.trace_id),
      ['self', 'a'],
    );
    assert.equal(report.children[0].children.length, 0);
    assert.equal(report.children[1].parent_id, 'b');
    assert.deepEqual(
      report.children[1].children.map((c) => c.trace_id),
      ['b'],
    );
    assert.deepEqual(
      report.children[1].children[0].children.map((c) => c.trace_id),
      ['tail'],
    );
    assert.doesNotThrow(() => renderJson(report));
  });

  it('builds the same report whatever order the starts and stops of nested and interleaved spans come in', () => {
    const records = [
      rec('wsgi-start', 'w', BASE, 0, {}, { project: 'p1', service: 's1' }),
      rec('db-start', 'd1', 'w', 1000),
      rec('db-start', 'd2', 'w', 1500, {}, { project: 'p2' }),
      rec('db-stop', 'd1', 'w', 2000),
      rec('rpc-stop', 'r', 'd2', 2600),
      rec('rpc-start', 'r', 'd2', 2500),
      rec('db-stop', 'd2', 'w', 3000),
      rec('wsgi-stop', 'w', BASE, 4000, { etype: 'E' }),
    ];
    const expected = {
      w: [
        'wsgi',
        'p1',
        's1',
        0,
        4,
        'E',
        'meta.raw_payload.wsgi-start,started,meta.raw_payload.wsgi-stop,finished,exception',
      ],
      d1: [
        'db',
        'p',
        's',
        1,
        2,
        'None',
        'meta.raw_payload.db-start,started,meta.raw_payload.db-stop,finished,exception',
      ],
      d2: [
        'db',
        'p2',
        's',
        1,
        3,
        'None',
        'meta.raw_payload.db-start,started,meta.raw_payload.db-stop,finished,exception',
      ],
      r: [
        'rpc',
        'p',
        's',
        2,
        2,
        'None',
        'meta.raw_payload.rpc-stop,finished,exception,meta.raw_payload.rpc-start,started',
      ],
    };
    const seen = (report: ReturnType<typeof buildReport>): Record<string, unknown[]> => {
      const out: Record<string, unknown[]> = {};
      const walk = (nodes: ReportNode[]): void => {
        for (const n of nodes) {
          const { name, project, started, finished, exception } = n.info;
          const keys = Object.keys(n.info).slice(4).join(',');
          out[n.trace_id] = [name, project, n.info.service, started, finished, exception, keys];
          walk(n.children);
        }
      };
      walk(report.children);
      return out;
    };
    assert.deepEqual(seen(buildReport(records)), expected);
    // the same records with every trace's own records kept in order, the traces interleaved otherwise
    const reordered = [records[0], records[2], records[1], records[5], records[4], records[3], records[6], records[7]];
    const rpcStartFirst = 'meta.raw_payload.rpc-start,started,meta.raw_payload.rpc-stop,finished,exception';
    assert.deepEqual(seen(buildReport(reordered)), { ...expected, r: [...expected.r.slice(0, 6), rpcStartFirst] });
    const report = buildReport(records);
    assert.deepEqual(
      report.children[0].children.map((c) => c.trace_id),
      ['d1', 'd2'],
    );
    assert.equal(report.children[0].children[1].children[0].trace_id, 'r');
  });

  it('stores a point named "__proto__" as an ordinary stats key', () => {
    const report = buildReport([rec('__proto__-start', 'a', BASE, 0), rec('constructor-start', 'b', BASE, 0)]);
    assert.deepEqual(Object.keys(report.stats), ['__proto__', 'constructor']);
    assert.equal(Object.getPrototypeOf(report.stats), Object.prototype);
    assert.match(renderJson(report), /"__proto__": \{\n {6}"count": 1/);
  });

  // why: its speed is measured in bench/ (a timed assertion here fails on a busy machine, not on slow code).
  it('builds 100,000 spans (200,000 records) into one tree with every span counted', () => {
    let seed = 20240514;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const records: StoredNotification[] = [];
    for (let i = 0; i < 100_000; i++) {
      const parent = i === 0 ? BASE : `t${rand(i)}`;
      const start = i * 7 + rand(1000);
      records.push(...span(['db', 'rpc', 'wsgi', 'http'][i % 4], `t${i}`, parent, start, start + rand(5000)));
    }
    const report = buildReport(records);
    assert.equal(report.children.length, 1);
    assert.equal(
      Object.values(report.stats).reduce((n, s) => n + s.count, 0),
      100_000,
    );
    assert.ok(renderDot(report).endsWith('\t0 -> 1\n}\n'));
  });

  it('handles a 10,000-deep chain without recursion, in the builder and the DOT renderer', () => {
    const records: StoredNotification[] = [];
    for (let i = 0; i < 10_000; i++) records.push(...span('db', `d${i}`, i === 0 ? BASE : `d${i - 1}`, i, 20_000 - i));
    const report = buildReport(records);
    assert.equal(maxDepth(report.children), 10_000);
    const dot = renderDot(report);
    assert.equal(dot.split('\n').length, 1 + 10_001 + 10_000 + 2);
    assert.ok(dot.endsWith('\t1 -> 2\n\t0 -> 1\n}\n'));
  });
});

describe('ReportBuilder', () => {
  it('streams records in and can build again after more arrive', () => {
    const builder = new ReportBuilder();
    for (const r of span('wsgi', 'w', BASE, 0, 5000)) assert.equal(builder.add(r), true);
    const first = builder.build();
    assert.equal(first.info.finished, 5);
    builder.add(rec('db-start', 'd', 'w', 7000));
    const second = builder.build();
    assert.equal(second.info.finished, 7);
    assert.equal(first.children[0].children.length, 0);
    assert.equal(second.children[0].children[0].trace_id, 'd');
    assert.equal(builder.skipped, 0);
  });

  it('leaves a returned report as it was when later records reach its points', () => {
    const builder = new ReportBuilder();
    builder.add(rec('wsgi-start', 'w', BASE, 0));
    const first = builder.build();
    const before = renderJson(first);
    builder.add(rec('wsgi-stop', 'w', BASE, 4000));
    builder.add(rec('db-start', 'd', 'w', 1000));
    const second = builder.build();
    assert.equal(renderJson(first), before);
    assert.deepEqual(Object.keys(first.children[0].info), [
      'name',
      'project',
      'service',
      'host',
      'meta.raw_payload.wsgi-start',
      'started',
      'finished',
    ]);
    assert.deepEqual(Object.keys(second.children[0].info), [
      'name',
      'project',
      'service',
      'host',
      'meta.raw_payload.wsgi-start',
      'started',
      'meta.raw_payload.wsgi-stop',
      'finished',
      'exception',
    ]);
    assert.equal(second.children[0].info.finished, 4);
    assert.equal(second.children[0].children[0].trace_id, 'd');
  });

  it('stays usable when a hostOf callback throws for a new point', () => {
    let fail = true;
    const builder = new ReportBuilder({
      hostOf: () => {
        if (fail) throw new Error('boom');
        return 'h';
      },
    });
    assert.throws(() => builder.add(rec('db-start', 'a', BASE, 0)), /boom/);
    fail = false;
    assert.equal(builder.add(rec('db-start', 'a', BASE, 0)), true);
    assert.equal(builder.add(rec('db-stop', 'a', BASE, 2000)), true);
    const report = builder.build();
    assert.equal(report.children.length, 1);
    assert.equal(report.children[0].info.host, 'h');
    assert.equal(report.children[0].info.finished, 2);
  });

  it('lets per-record overrides win over the record’s own host and payload', () => {
    const builder = new ReportBuilder({ hostOf: () => 'from-option' });
    builder.add(rec('db-start', 'a', BASE, 0), { host: 'from-override', rawPayload: { sql: true } });
    builder.add(rec('db-start', 'b', BASE, 0));
    assert.equal(builder.add({ name: 'x' } as StoredNotification), false);
    const report = builder.build();
    assert.deepEqual(
      report.children.map((c) => c.info.host),
      ['from-override', 'from-option'],
    );
    assert.deepEqual(report.children[0].info['meta.raw_payload.db-start'], { sql: true });
    assert.equal(builder.skipped, 1);
  });
});
