// The Node program and the report viewer's browser program stay apart: no DOM types in Node code,
// no Node types in the viewer, and only the environment-free viewer modules are shared.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

import { root } from '../../helpers/built-bin.js';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** The files a tsconfig's program compiles (its libraries included), relative to the repo. */
function programFiles(config: string): string[] {
  const out = execFileSync(process.execPath, [tsc, '-p', join(root, config), '--listFilesOnly'], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((file) => relative(root, file).replaceAll('\\', '/'));
}

// why: Node code and the viewer both import these, so each must compile in both programs.
const SHARED = [
  'src/report/ui/format.ts',
  'src/report/ui/search.ts',
  'src/report/ui/styles.ts',
  'src/report/ui/tree.ts',
  'src/report/ui/types.ts',
];

describe('program boundaries', () => {
  it('the Node program (tsconfig.build.json) has no DOM library and only the shared viewer modules', () => {
    const files = programFiles('tsconfig.build.json');
    assert.deepEqual(
      files.filter((f) => /lib\.dom/.test(f)),
      [],
    );
    const viewer = files.filter((f) => f.startsWith('src/report/ui/'));
    assert.ok(viewer.length > 0, 'the report renderer imports the shared viewer modules');
    assert.deepEqual(
      viewer.filter((f) => !SHARED.includes(f)),
      [],
    );
  });

  it('the viewer program (src/report/ui/tsconfig.json) has the DOM library and no Node types', () => {
    const files = programFiles('src/report/ui/tsconfig.json');
    assert.ok(files.some((f) => /lib\.dom\.d\.ts$/.test(f)));
    assert.deepEqual(
      files.filter((f) => f.includes('@types/node')),
      [],
    );
    assert.deepEqual(
      files.filter((f) => f.startsWith('src/') && !f.startsWith('src/report/ui/')),
      [],
    );
  });
});
