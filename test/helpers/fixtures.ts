// Loads the Python-generated vectors copied under test/fixtures (kept equal to ../shared/fixtures).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Parses one fixture file, e.g. `loadFixture('signing.json')` or `loadFixture('reports/01_single_span.json')`. */
export function loadFixture<T = any>(relativePath: string): T {
  return JSON.parse(readFileSync(join(fixturesDir, relativePath), 'utf8')) as T;
}
