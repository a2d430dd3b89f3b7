// What a new user sees of the package before any code: its licence text and where the project lives.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { root } from '../../helpers/built-bin.js';

interface PackageJson {
  license?: string;
  repository?: { type?: string; url?: string } | string;
  homepage?: string;
  bugs?: { url?: string } | string;
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;

describe('package metadata', () => {
  it('ships a LICENSE file with the full Apache License 2.0 that package.json names', () => {
    assert.equal(pkg.license, 'Apache-2.0');
    const text = readFileSync(join(root, 'LICENSE'), 'utf8');
    assert.match(text, /Apache License\s+Version 2\.0, January 2004/);
    assert.match(text, /TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION/);
    assert.match(text, /END OF TERMS AND CONDITIONS/);
  });

  it('names the repository, its home page and where to report bugs', () => {
    assert.ok(typeof pkg.repository === 'object', 'repository should be {type, url}');
    assert.equal(pkg.repository.type, 'git');
    assert.match(pkg.repository.url ?? '', /^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
    const web = (pkg.repository.url ?? '').replace(/^git\+/, '').replace(/\.git$/, '');
    assert.equal(pkg.homepage, `${web}#readme`);
    assert.ok(typeof pkg.bugs === 'object', 'bugs should be {url}');
    assert.equal(pkg.bugs.url, `${web}/issues`);
  });
});
