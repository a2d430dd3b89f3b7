// The terminal tree renderer: layout, colours on demand, safe output, any depth.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { buildReport } from '../../../src/report/build.js';
import { renderTerminalTree, terminalSafe } from '../../../src/report/terminal.js';
import type { Report, StoredNotification } from '../../../src/report/types.js';
import { loadFixture } from '../../helpers/fixtures.js';

const nested = loadFixture<{ base_id: string; report: Report }>('reports/02_nested_services.json');
const errors = loadFixture<{ report: Report }>('reports/07_errors.json');

describe('renderTerminalTree', () => {
  it('prints one line per point with start offset, duration and tree branches, plus header and stats', () => {
    const text = renderTerminalTree(nested.report);
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0], new RegExp(`^Trace ${nested.base_id} — 915 ms · 6 points · nova-api, nova-compute$`));
    assert.match(lines[1], /started 2024-05-14 09:30:12\.345 UTC/);
    assert.match(
      lines[2],
      /^ +\+0 ms +915 ms ▕█{20}▏ POST \/v2\.1\/servers\S* {2}wsgi nova-api@ctl-01 {2}POST \/v2\.1\/servers/,
    );
    assert.ok(lines.some((l) => / └─ nova\.compute\.rpcapi\S* {2}rpc nova-api$/.test(l)));
    assert.ok(
      lines.some((l) => /├─ SELECT instances\.id FROM instances WHERE instances\.uuid = … {2}db nova-api/.test(l)),
    );
    assert.ok(
      lines.some((l) => / {4}└─ \S+ {2}compute nova-compute@cmp-07/.test(l)),
      'host shown where it changes',
    );
    assert.match(lines[lines.length - 1], /^stats: wsgi 1× 915 ms · .*db 2× 3 ms/);
    assert.ok(text.endsWith('\n'));
  });

  it('uses ANSI colours only when asked', () => {
    assert.doesNotMatch(renderTerminalTree(nested.report), /\x1b/);
    assert.match(renderTerminalTree(nested.report, { color: true }), /\x1b\[1mPOST \/v2\.1\/servers\S*\x1b\[0m/);
  });

  it('marks failed points with their error type and message', () => {
    const text = renderTerminalTree(errors.report);
    assert.match(text, /✗ /);
    assert.match(text.split('\n')[0], /\d+ errors?/);
  });

  it('escapes control characters from stored data so they cannot drive the terminal', () => {
    assert.equal(terminalSafe('a\x1b[2Jb\nc\u009b'), 'a\\x1b[2Jb\\x0ac\\x9b');
    const report = buildReport([
      {
        name: 'wsgi-start',
        base_id: 'b',
        trace_id: 't',
        parent_id: 'b',
        timestamp: '2024-01-01T00:00:00.000000',
        info: { host: 'h', request: { method: 'GET', path: '/\x1b]0;pwned\x07', query: '' } },
        project: 'p',
        service: 's',
      },
    ] as StoredNotification[]);
    assert.doesNotMatch(renderTerminalTree(report), /\x1b|\x07/);
  });

  it('marks the critical path with ◆ when asked: a parallel child that ended early is off it', () => {
    const at = (ms: number): string => `2024-01-01T00:00:00.${String(ms * 1000).padStart(6, '0')}`;
    const point = (name: string, id: string, parent: string, from: number, to: number): StoredNotification[] =>
      [
        {
          name: `${name}-start`,
          base_id: 'b',
          trace_id: id,
          parent_id: parent,
          timestamp: at(from),
          info: { host: 'h' },
        },
        { name: `${name}-stop`, base_id: 'b', trace_id: id, parent_id: parent, timestamp: at(to), info: { host: 'h' } },
      ] as StoredNotification[];
    const report = buildReport([
      ...point('root', 'r', 'b', 0, 100),
      ...point('early', 'e', 'r', 10, 20),
      ...point('slow', 's', 'r', 10, 90),
      ...point('first', 'f', 'r', 1, 9),
    ]);
    const lines = renderTerminalTree(report, { criticalPath: true, barWidth: 0 }).trimEnd().split('\n');
    const marked = (name: string): boolean => lines.some((l) => new RegExp(`◆ [├└─ ]*${name}\\b`).test(l));
    assert.ok(marked('root') && marked('slow') && marked('first'));
    assert.ok(!marked('early'), 'a parallel child that ended before the slow one is off the path');
    assert.match(lines[1], /critical path: 3 points/);
    assert.doesNotMatch(renderTerminalTree(report), /◆/, 'off by default');
  });

  it('renders a 20,000-deep chain without recursion limits', () => {
    const records: StoredNotification[] = [];
    let parent = 'base';
    for (let i = 0; i < 20_000; i++) {
      records.push({
        name: 'f-start',
        base_id: 'base',
        trace_id: `t${i}`,
        parent_id: parent,
        timestamp: '2024-01-01T00:00:00.000000',
        info: { host: 'h' },
      } as StoredNotification);
      parent = `t${i}`;
    }
    const lines = renderTerminalTree(buildReport(records), { barWidth: 0 }).trimEnd().split('\n');
    assert.equal(lines.length, 20_000 + 3);
    assert.match(lines[2 + 19_999], /⋮19999 └─ f$/);
  });
});
