import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toViewerData } from '../../../../src/report/viewer-data.js';
import { createTreeModel } from '../../../../src/report/ui/tree.js';
import { createMatcher, type FilterSpec } from '../../../../src/report/ui/search.js';
import type { Report, ReportNode } from '../../../../src/report/types.js';
import type { PayloadStore } from '../../../../src/report/ui/types.js';

function node(name: string, service: string, extra: Record<string, unknown>, children: ReportNode[] = []): ReportNode {
  return {
    info: { name, project: 'nova', service, host: 'ctl-01', started: 0, finished: 1, ...extra },
    trace_id: name,
    parent_id: 'x',
    children,
  };
}

const report = {
  info: { name: 'total', started: 0, finished: 1, last_trace_started: 0 },
  children: [
    node('wsgi', 'api', { 'meta.raw_payload.wsgi-start': { info: { request: { path: '/v2.1/servers' } } } }, [
      node('db', 'api', { 'meta.raw_payload.db-start': { info: { db: { statement: 'SELECT * FROM Instances' } } } }),
      node('rpc', 'compute', { exception: 'Timeout' }, [node('db', 'compute', {})]),
    ]),
  ],
  stats: {},
} as Report;
const { data, payloads } = toViewerData(report, 't');

// The in-page store needs a document; this stand-in searches the same payload lines directly.
function storeOf(lines: string[], ready = true): PayloadStore {
  return {
    state: () => (ready ? 'ready' : 'loading'),
    whenReady: () => {},
    onBlock: () => {},
    spanState: () => (ready ? 'ready' : 'loading'),
    text: (i) => (ready ? lines[i] : null),
    search: (term) => (ready ? Uint8Array.from(lines, (l) => (l.toLowerCase().includes(term) ? 1 : 0)) : null),
  };
}
const match = createMatcher(data, createTreeModel(data).parent, storeOf(payloads));
const spec = (over: Partial<FilterSpec>): FilterSpec => ({
  query: '',
  service: -1,
  name: -1,
  errorsOnly: false,
  ...over,
});
const on = (mask: Uint8Array | null): number[] => (mask ? Array.from(mask).flatMap((v, i) => (v ? [i] : [])) : []);

describe('createMatcher', () => {
  it('returns no masks when no filter is active', () => {
    assert.deepEqual(match(spec({ query: '   ' })), { match: null, keep: null, matches: 4, complete: true });
  });

  it('matches names and services case-insensitively and keeps the ancestors of matches', () => {
    const r = match(spec({ query: 'COMPUTE' }));
    assert.deepEqual(on(r.match), [2, 3]);
    assert.deepEqual(on(r.keep), [0, 2, 3]);
    assert.equal(r.matches, 2);
  });

  it('matches text inside the stored payloads (SQL, URLs)', () => {
    assert.deepEqual(on(match(spec({ query: 'from instances' })).match), [1]);
    assert.deepEqual(on(match(spec({ query: '/v2.1/servers' })).match), [0]);
  });

  it('requires every term and honours field prefixes', () => {
    assert.deepEqual(on(match(spec({ query: 'db compute' })).match), [3]);
    assert.deepEqual(on(match(spec({ query: 'service:compute name:db' })).match), [3]);
    assert.deepEqual(on(match(spec({ query: 'name:servers' })).match), []);
    assert.deepEqual(on(match(spec({ query: 'is:error' })).match), [2]);
    assert.deepEqual(on(match(spec({ query: 'toString:x' })).match), []);
  });

  it('reports an incomplete result when payload text is searched before the payloads are loaded', () => {
    const early = createMatcher(
      data,
      createTreeModel(data).parent,
      storeOf(payloads, false),
    )(spec({ query: 'instances' }));
    assert.equal(early.complete, false);
    assert.deepEqual(on(early.match), [1], 'found in the operation label (the SELECT) before any payload loads');
    const notYet = createMatcher(
      data,
      createTreeModel(data).parent,
      storeOf(payloads, false),
    )(spec({ query: 'statement' }));
    assert.deepEqual([notYet.complete, on(notYet.match)], [false, []], 'payload keys live in the payloads only');
    const named = createMatcher(data, createTreeModel(data).parent, storeOf(payloads, false))(spec({ query: 'rpc' }));
    assert.deepEqual(on(named.match), [2]);
  });

  it('filters by service index, span type index and errors only', () => {
    assert.deepEqual(on(match(spec({ service: data.services.indexOf('nova-compute') })).match), [2, 3]);
    assert.deepEqual(on(match(spec({ name: data.names.indexOf('db') })).match), [1, 3]);
    assert.deepEqual(on(match(spec({ errorsOnly: true })).match), [2]);
    assert.deepEqual(on(match(spec({ errorsOnly: true })).keep), [0, 2]);
  });
});
