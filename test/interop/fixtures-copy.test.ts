// The fixtures copied under test/fixtures must stay equal to the Python-generated ones in ../shared.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturesDir } from '../helpers/fixtures.js';

const shared = fileURLToPath(new URL('../../../shared/fixtures', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === 'gen' ? [] : files(full);
    return [full];
  });
}

describe('fixture copies', () => {
  const present = existsSync(shared);
  it(
    'equal ../shared/fixtures file for file',
    { skip: present ? false : 'no ../shared/fixtures beside this checkout' },
    () => {
      const expected = files(shared)
        .map((f) => relative(shared, f))
        .sort();
      const actual = files(fixturesDir)
        .map((f) => relative(fixturesDir, f))
        .sort();
      assert.deepEqual(actual, expected);
      for (const name of expected) {
        assert.ok(readFileSync(join(shared, name)).equals(readFileSync(join(fixturesDir, name))), `${name} differs`);
      }
    },
  );
});
