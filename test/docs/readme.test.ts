// The README's claims a first-time user acts on: which stores both CLIs share, and what the test suite needs.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { root } from '../helpers/built-bin.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The text of the README section whose `## ` heading matches. */
function section(heading: RegExp): string {
  const parts = readme.split(/^## /m);
  const found = parts.find((p) => heading.test(p.split('\n')[0]));
  assert.ok(found !== undefined, `README.md has no "## ${heading.source}" section`);
  return found;
}

function testSources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (name === 'fixtures') continue;
    if (statSync(full).isDirectory()) testSources(full, out);
    else if (name.endsWith('.ts')) out.push(readFileSync(full, 'utf8'));
  }
  return out;
}

describe('README', () => {
  it('says the Python CLI cannot read the default SQLite store and names stores both CLIs read', () => {
    const text = readme.replace(/\s+/g, ' ');
    assert.match(text, /Python[^.]*(no|not|cannot)[^.]*SQLite|SQLite[^.]*(no|not|cannot)[^.]*Python/i);
    // a connection string both read, as it would be typed
    assert.match(readme, /--connection-string redis:\/\/|OSPROFILER_CONNECTION_STRING=redis:\/\//);
    assert.match(readme, /mysql\+pymysql:\/\/|postgresql:\/\//);
  });

  it('the test section names every service the integration and e2e tests use, with its settings', () => {
    const tests = section(/^Tests/);
    for (const [name, setting] of [
      ['PostgreSQL', '127.0.0.1:5432'],
      ['MariaDB', '127.0.0.1:3306'],
      ['Redis', '127.0.0.1:6379'],
      ['RabbitMQ', '127.0.0.1:5672'],
      ['Chromium', '/usr/bin/chromium'],
    ]) {
      assert.ok(tests.includes(name), `the Tests section does not name ${name}`);
      assert.ok(tests.includes(setting), `the Tests section does not give ${name}'s setting ${setting}`);
    }
  });

  it('the test section lists every OSPROFILER_TEST_* variable the tests read, and OSPROFILER_REQUIRE_SERVICES', () => {
    const tests = section(/^Tests/);
    const used = new Set(testSources(join(root, 'test')).flatMap((t) => t.match(/OSPROFILER_TEST_[A-Z0-9_]+/g) ?? []));
    assert.ok(used.size >= 1, 'the tests read no OSPROFILER_TEST_* variable?');
    for (const name of [...used, 'OSPROFILER_REQUIRE_SERVICES']) {
      assert.ok(tests.includes(name), `the Tests section does not list ${name}`);
    }
  });
});
