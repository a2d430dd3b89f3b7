// The repository files the docs point readers to (tests that show a behaviour, sources, benches) exist.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

import { root } from '../helpers/built-bin.js';
import { docFiles } from '../helpers/doc-snippets.js';

const PAGES = [
  ...docFiles(root),
  ...['ARCHITECTURE.md', 'CHANGELOG.md', 'bench/README.md'].map((page) => join(root, page)),
];

/** A path under one of the repository's folders, as docs write it (`test/…/x.test.ts`, `src/report/`). */
const PATH = /(?<![\w./-])((?:src|test|bench|docs|scripts|\.ci)\/[\w./{},-]*[\w}-])/g;

/** `a-{x,y}.ts` → `a-x.ts`, `a-y.ts` (one brace group, as the docs use). */
function expandBraces(path: string): string[] {
  const match = /\{([^{}]*)\}/.exec(path);
  if (match === null) return [path];
  return match[1]!
    .split(',')
    .flatMap((part) => expandBraces(path.slice(0, match.index) + part + path.slice(match.index + match[0].length)));
}

describe('paths named in the docs', () => {
  it('reads pages that name paths', () => {
    assert.ok(PAGES.filter((page) => new RegExp(PATH.source).test(readFileSync(page, 'utf8'))).length >= 10);
  });

  for (const page of PAGES) {
    it(`${relative(root, page)}: every repository path it names exists`, () => {
      const missing: string[] = [];
      for (const [, named] of readFileSync(page, 'utf8').matchAll(PATH)) {
        for (const path of expandBraces(named!)) if (!existsSync(join(root, path))) missing.push(path);
      }
      assert.deepEqual(missing, [], `${relative(root, page)} names files that are not in the repository`);
    });
  }
});
