// Report builder + JSON/DOT renderers against the Python OSProfiler 3.4.3 report fixtures.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { buildReport, type SkipReason } from '../../src/report/build.js';
import { renderDot } from '../../src/report/dot.js';
import { renderJson } from '../../src/report/json.js';
import { parseTimestamp } from '../../src/propagation/timestamp.js';
import type { Report, StoredNotification } from '../../src/report/types.js';
import { fixturesDir, loadFixture } from '../helpers/fixtures.js';

interface ScenarioFixture {
  description: string;
  base_id: string;
  notifications: StoredNotification[];
  report: Report | 'raises';
  report_error?: { type: string; message: string };
  dot: string | null;
  dot_error?: { type: string; message: string };
  report_head?: Report | 'raises';
  dot_head?: string;
}

interface Index {
  scenarios: { scenario: string; notifications: number; report: string; dot: string | null }[];
}

const index = loadFixture<Index>('reports/index.json');

function build(records: StoredNotification[]): { report: Report; skipped: { record: unknown; reason: SkipReason }[] } {
  const skipped: { record: unknown; reason: SkipReason }[] = [];
  const report = buildReport(records, { onSkip: (record, reason) => skipped.push({ record, reason }) });
  return { report, skipped };
}

/** Key order is significant: compare the serialised forms, then structurally for a readable diff. */
function assertSameReport(actual: unknown, expected: unknown): void {
  assert.deepEqual(actual, expected);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}

/** JSON.stringify's indent-2 layout equals Python's; only the ASCII escaping differs. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[^\x00-\x7e]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

// Port behaviour where Python 3.4.3 raises and no port_* field exists (documented in build.ts/dot.ts).
const PORT_DOT: Record<string, string> = {
  '05b_stop_without_start_rpc':
    'digraph {\n\t0 [label="total - 2 ms"]\n\t1 [label="api:wsgi - 2 ms\\nGET /.."]\n\t2 [label="api:rpc - 0 ms"]\n\t1 -> 2\n\t0 -> 1\n}\n',
};

describe('report fixtures (Python OSProfiler 3.4.3)', () => {
  it('the index lists every scenario file', () => {
    assert.equal(index.scenarios.length, 20);
    for (const s of index.scenarios)
      assert.ok(existsSync(join(fixturesDir, 'reports', `${s.scenario}.json`)), s.scenario);
  });

  for (const entry of index.scenarios) {
    const name = entry.scenario;
    const fx = loadFixture<ScenarioFixture>(`reports/${name}.json`);

    describe(name, () => {
      it('feeds every stored record in array order', () => {
        assert.equal(fx.notifications.length, entry.notifications);
      });

      if (fx.report !== 'raises') {
        const expected = fx.report;
        it('builds the same report, key order included', () => {
          const { report, skipped } = build(fx.notifications);
          assert.deepEqual(skipped, []);
          assertSameReport(report, expected);
        });
        it('renders JSON as json.dumps(indent=2, ensure_ascii) does', () => {
          const { report } = build(fx.notifications);
          assert.equal(renderJson(report), asciiJson(expected));
        });
        it('renders the DOT source (or a degraded graph where Python raises)', () => {
          const { report } = build(fx.notifications);
          if (fx.dot === 'raises') {
            assert.ok(fx.dot_error, 'dot_error recorded');
            assert.equal(renderDot(report), PORT_DOT[name]);
          } else {
            assert.equal(renderDot(report), fx.dot);
          }
        });
        const stdoutPath = join(fixturesDir, 'reports', `${name}.stdout.json`);
        if (existsSync(stdoutPath)) {
          it('prints exactly the bytes of `osprofiler trace show --json`', () => {
            const { report } = build(fx.notifications);
            assert.equal(renderJson(report) + '\n', readFileSync(stdoutPath, 'latin1'));
          });
        }
      } else if (fx.report_head !== undefined && fx.report_head !== 'raises') {
        const head = fx.report_head;
        it('follows the upstream head where 3.4.3 raises (last_trace_started: null)', () => {
          assert.equal(fx.report_error?.type, 'TypeError');
          const { report, skipped } = build(fx.notifications);
          assert.deepEqual(skipped, []);
          assertSameReport(report, head);
          assert.equal(report.info.last_trace_started, null);
          assert.equal(renderDot(report), fx.dot_head);
        });
      } else {
        it('skips the records whose timestamp Python rejects instead of failing', () => {
          assert.equal(fx.report_error?.type, 'ValueError');
          const bad = fx.notifications.filter((n) => parseTimestamp(n.timestamp) === undefined);
          assert.ok(bad.length > 0);
          const { report, skipped } = build(fx.notifications);
          assert.deepEqual(
            skipped.map((s) => s.reason),
            bad.map(() => 'bad-timestamp'),
          );
          assert.deepEqual(
            skipped.map((s) => s.record),
            bad,
          );
          const good = fx.notifications.filter((n) => !bad.includes(n));
          assertSameReport(report, build(good).report);
          // the surviving record gives a zero-length wsgi point; the DOT detail line needs its start
          const point = report.children[0];
          assert.equal(report.children.length, 1);
          assert.equal(point.info.finished - point.info.started, 0);
          const hasStart = 'meta.raw_payload.wsgi-start' in point.info;
          assert.equal(report.info.last_trace_started, hasStart ? 0 : null);
          const detail = hasStart ? '\\nGET /..' : '';
          assert.equal(
            renderDot(report),
            `digraph {\n\t0 [label="total - 0 ms"]\n\t1 [label="api:wsgi - 0 ms${detail}"]\n\t0 -> 1\n}\n`,
          );
        });
      }
    });
  }
});
