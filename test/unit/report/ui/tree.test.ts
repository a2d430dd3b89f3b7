import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toViewerData } from '../../../../src/report/viewer-data.js';
import { createTreeModel } from '../../../../src/report/ui/tree.js';
import type { Report, ReportNode } from '../../../../src/report/types.js';

function node(name: string, children: ReportNode[] = []): ReportNode {
  return {
    info: { name, project: 'p', service: 's', host: 'h', started: 0, finished: 1 },
    trace_id: name,
    parent_id: 'x',
    children,
  };
}

// a(b(c), d), e
const { data } = toViewerData(
  {
    info: { name: 'total', started: 0, finished: 1, last_trace_started: 0 },
    children: [node('a', [node('b', [node('c')]), node('d')]), node('e')],
    stats: {},
  } as Report,
  't',
);

describe('createTreeModel', () => {
  it('derives parent links from pre-order depths', () => {
    assert.deepEqual(Array.from(createTreeModel(data).parent), [-1, 0, 1, 0, -1]);
  });

  it('shows every span when nothing is collapsed and hides the subtree of a collapsed span', () => {
    const tree = createTreeModel(data);
    assert.deepEqual(Array.from(tree.visibleRows(null)), [0, 1, 2, 3, 4]);
    tree.toggle(1);
    assert.deepEqual(Array.from(tree.visibleRows(null)), [0, 1, 3, 4]);
    tree.toggle(1);
    assert.deepEqual(Array.from(tree.visibleRows(null)), [0, 1, 2, 3, 4]);
  });

  it('collapse all leaves the roots, expand all restores everything, leaves cannot collapse', () => {
    const tree = createTreeModel(data);
    tree.collapseAll();
    assert.deepEqual(Array.from(tree.visibleRows(null)), [0, 4]);
    tree.toggle(4);
    assert.equal(tree.collapsed[4], 0);
    tree.expandAll();
    assert.deepEqual(Array.from(tree.visibleRows(null)), [0, 1, 2, 3, 4]);
  });

  it('reveal expands the ancestors of a span', () => {
    const tree = createTreeModel(data);
    tree.collapseAll();
    tree.reveal(2);
    assert.deepEqual(Array.from(tree.visibleRows(null)), [0, 1, 2, 3, 4]);
  });

  it('applies a keep mask, skipping whole subtrees that are not kept', () => {
    const tree = createTreeModel(data);
    assert.deepEqual(Array.from(tree.visibleRows(Uint8Array.from([1, 0, 1, 1, 0]))), [0, 3]);
  });
});
