// The built `osprofiler` command for the end-to-end tests, built first when dist/ is missing or stale.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** dist/src/cli/main.js, as `npm install` builds it. */
export const bin = join(root, 'dist', 'src', 'cli', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const st = statSync(full);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(full) : st.mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ when the bin is missing or older than src/.
 * why: the test command builds first; a test file run alone builds it itself (type errors elsewhere
 * in the tree do not stop tsc from emitting).
 */
export function ensureBuilt(): void {
  if (existsSync(bin) && statSync(bin).mtimeMs >= newestMtime(join(root, 'src'))) return;
  spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'ignore',
  });
  assert.ok(existsSync(bin), `building with tsc did not produce ${bin}`);
}
