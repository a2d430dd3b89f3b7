#!/usr/bin/env node
// Runs node:test over every *.test.ts under the given folders (default: all of test/).
// why: on Node 20, `node --test <dir>` only discovers .js files and passes with 0 tests,
// so we expand the file list ourselves and fail when it is empty.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const args = process.argv.slice(2);
// --exclude=REGEX leaves out test files whose path matches (used for the Node 24 run, see .ci/run)
const excludeArg = args.find((a) => a.startsWith('--exclude='));
const exclude = excludeArg ? new RegExp(excludeArg.slice('--exclude='.length)) : undefined;
const flags = args.filter((a) => a.startsWith('--') && a !== excludeArg);
const roots = args.filter((a) => !a.startsWith('--'));
const files = [];
for (const root of roots.length ? roots : ['test']) {
  if (root.endsWith('.ts')) files.push(root);
  else collect(root, files);
}
if (exclude) files.splice(0, files.length, ...files.filter((f) => !exclude.test(f)));
if (files.length === 0) {
  console.error('run-tests: no *.test.ts files found under', roots.join(' ') || 'test');
  process.exit(1);
}
const reporter = process.env.CI ? ['--test-reporter=spec'] : [];
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...reporter, ...flags, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
