// The public typings under `tsc --strict`: realistic snippets (README, docs/api.md) must compile.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./snippets.ts', import.meta.url));

describe('public typings', () => {
  it('the README and docs snippets compile under tsc --strict (and the expected errors are errors)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osprofiler-types-'));
    try {
      // why: a tsconfig of its own with nothing but --strict and what the snippets need (Node
      // types, `using`), not the project's stricter extras, so it checks what a user would see.
      const config = join(dir, 'tsconfig.json');
      writeFileSync(
        config,
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: 'ES2022',
            lib: ['ES2023', 'ESNext.Disposable'],
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            skipLibCheck: true,
            types: ['node'],
            typeRoots: [join(root, 'node_modules', '@types')],
          },
          files: [fixture],
        }),
      );
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      const out = spawnSync(process.execPath, [tsc, '-p', config], { cwd: root, encoding: 'utf8' });
      assert.equal(out.status, 0, `tsc --strict failed:\n${out.stdout}${out.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
