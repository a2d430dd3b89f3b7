// Runs a TypeScript module in a fresh Node process (with tsx), for tests of what a whole process does: exit, output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the process printed and how it ended (status null: killed, e.g. at the timeout). */
export interface ChildRun {
  stdout: string;
  stderr: string;
  status: number | null;
}

/** The import specifier (quoted, absolute) of `src/<path>`, to write into a module's source. */
export const srcModule = (path: string): string =>
  JSON.stringify(fileURLToPath(new URL(`../../src/${path}`, import.meta.url)));

/** Writes `code` to a temporary .mts file, runs it (killed after `timeoutMs`), removes the file. */
export function runTsModule(code: string, timeoutMs: number): ChildRun {
  const dir = mkdtempSync(join(tmpdir(), 'osp-ts-child-'));
  try {
    const script = join(dir, 'child.mts');
    writeFileSync(script, code);
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: timeoutMs });
    return { stdout: child.stdout, stderr: child.stderr, status: child.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
