// The code blocks of README.md and docs/**/*.md, checked as users paste them: type-checked, run, CLI commands real.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { bin, ensureBuilt, root } from '../helpers/built-bin.js';
import {
  KNOWN_FLAGS,
  KNOWN_SERVICES,
  PROGRAM_LANGS,
  SHELL_LANGS,
  cliInvocations,
  describeSnippet,
  repositorySnippets,
  snippetNeeds,
  type Snippet,
} from '../helpers/doc-snippets.js';
import { requireService, tcpProbe, type ServiceGate } from '../helpers/services.js';
import {
  SNIPPET_TSCONFIG,
  createSnippetProject,
  runInProject,
  type SnippetProject,
} from '../helpers/snippet-project.js';

const snippets = repositorySnippets(root);
const programs = snippets.filter((s) => PROGRAM_LANGS.has(s.lang));
const compiled = programs.filter((s) => !s.flags.includes('fragment'));
const runnable = compiled.filter((s) => !s.flags.includes('norun'));
const shells = snippets.filter((s) => SHELL_LANGS.has(s.lang));

/** The file a snippet is written to: ESM for js/mjs/ts (the package is ESM-first), CommonJS for cjs. */
function fileName(s: Snippet): string {
  const ext = { js: 'mjs', mjs: 'mjs', cjs: 'cjs', ts: 'mts' }[s.lang] ?? 'mjs';
  return `${s.file.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-L${s.line}.${ext}`;
}

const PORTS: Record<string, [string, number]> = {
  redis: ['Redis on 127.0.0.1:6379', 6379],
  postgresql: ['PostgreSQL on 127.0.0.1:5432', 5432],
  mysql: ['MariaDB/MySQL on 127.0.0.1:3306', 3306],
  rabbitmq: ['RabbitMQ on 127.0.0.1:5672', 5672],
};
const gates = new Map<string, ServiceGate>();
for (const name of new Set(runnable.flatMap(snippetNeeds))) {
  const port = PORTS[name];
  if (port !== undefined) gates.set(name, await requireService(port[0], tcpProbe('127.0.0.1', port[1])));
}

let project: SnippetProject;
/** tsc's diagnostics per snippet file name ('*' for those tied to no snippet). */
const diagnostics = new Map<string, string[]>();

function collectDiagnostics(output: string): void {
  let current: string[] | undefined;
  for (const line of output.split('\n')) {
    const match = /^(\S+?)\(\d+,\d+\): error /.exec(line);
    if (match !== null) {
      current = diagnostics.get(match[1]) ?? [];
      diagnostics.set(match[1], current);
      current.push(line);
    } else if (/^\s/.test(line) && current !== undefined) {
      current.push(line);
    } else if (line.trim() !== '') {
      // an error not tied to a snippet (tsconfig, a missing type package) concerns them all
      current = undefined;
      diagnostics.set('*', [...(diagnostics.get('*') ?? []), line]);
    }
  }
}
before(() => {
  ensureBuilt();
  project = createSnippetProject('osp-doc-snippets-', 'module');
  for (const s of compiled) writeFileSync(join(project.dir, fileName(s)), s.code);
  // why: two passes. TypeScript blocks get the whole of --strict; JavaScript blocks get --strict with
  // checkJs but without noImplicitAny, since a JavaScript reader has no annotations to write
  // (contextual types still apply, so a wrapper typed too narrowly is still caught).
  const passes: [string, Snippet[], Record<string, unknown>][] = [
    ['tsconfig.ts.json', compiled.filter((s) => s.lang === 'ts'), {}],
    ['tsconfig.js.json', compiled.filter((s) => s.lang !== 'ts'), { noImplicitAny: false }],
  ];
  for (const [config, group, extra] of passes) {
    if (group.length === 0) continue;
    const options = { ...SNIPPET_TSCONFIG.compilerOptions, ...extra };
    writeFileSync(
      join(project.dir, config),
      JSON.stringify({ compilerOptions: options, files: group.map(fileName) }, null, 2),
    );
    const tsc = spawnSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(project.dir, config), '--pretty', 'false'],
      { cwd: project.dir, encoding: 'utf8' },
    );
    assert.ok(tsc.status !== null, `tsc did not run: ${tsc.error?.message ?? tsc.stderr}`);
    collectDiagnostics(tsc.stdout);
  }
});
after(() => project?.remove());

describe('doc code blocks follow the info-string convention', () => {
  it('the docs hold program blocks and shell blocks to check', () => {
    assert.ok(programs.length >= 20, `only ${programs.length} program blocks found`);
    assert.ok(runnable.length >= 5, `only ${runnable.length} runnable blocks found`);
    assert.ok(shells.length >= 5, `only ${shells.length} shell blocks found`);
  });

  it('program blocks carry only known flags (fragment, norun, needs=<service>)', () => {
    const bad = programs.flatMap((s) =>
      s.flags
        .filter((f) => !KNOWN_FLAGS.test(f) || snippetNeeds({ ...s, flags: [f] }).some((n) => !KNOWN_SERVICES.has(n)))
        .map((f) => `${describeSnippet(s)}: unknown flag "${f}"`),
    );
    assert.deepEqual(bad, []);
  });

  it('a fragment is not also marked norun or needs= (it is never run anyway)', () => {
    const bad = programs
      .filter((s) => s.flags.includes('fragment') && s.flags.length > 1)
      .map((s) => describeSnippet(s));
    assert.deepEqual(bad, []);
  });
});

describe('doc code blocks type-check under tsc --strict (JavaScript with checkJs)', () => {
  it('the compiler reported nothing outside the snippets', () => {
    assert.deepEqual(diagnostics.get('*') ?? [], []);
  });
  for (const s of compiled) {
    it(describeSnippet(s), () => {
      const errors = diagnostics.get(fileName(s)) ?? [];
      assert.equal(
        errors.length,
        0,
        `${describeSnippet(s)} does not type-check:\n${errors.join('\n')}\n---\n${s.code}`,
      );
    });
  }
});

describe('doc code blocks run in a new project where osprofiler is installed', () => {
  for (const s of runnable) {
    const skipped = snippetNeeds(s)
      .map((n) => gates.get(n)?.skip)
      .find((why) => typeof why === 'string');
    it(describeSnippet(s), { skip: skipped ?? false, timeout: 60_000 }, async () => {
      const file = fileName(s);
      const args = s.lang === 'ts' ? ['--import', 'tsx', file] : [file];
      const result = await runInProject(project, args, { timeoutMs: 30_000 });
      assert.ok(
        result.code === 0 && !result.timedOut,
        `${describeSnippet(s)} ${result.timedOut ? 'did not finish within 30 s' : `exited with ${result.code ?? result.signal}`}\n` +
          `stderr:\n${result.stderr}\nstdout:\n${result.stdout}\n---\n${s.code}`,
      );
    });
  }
});

/** `--help` text of a command path (`['trace', 'show']`), or undefined when the CLI rejects the path. */
const helpCache = new Map<string, string | undefined>();
function helpOf(path: string[]): string | undefined {
  const key = path.join(' ');
  if (!helpCache.has(key)) {
    const result = spawnSync(process.execPath, [bin, ...path, '--help'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent' },
    });
    helpCache.set(key, result.status === 0 ? result.stdout : undefined);
  }
  return helpCache.get(key);
}

/** The subcommands a help text offers: argparse's `{a,b}` choice list in its usage line. */
function subcommandsOf(help: string): string[] {
  const match = /\{([a-z,-]+)\}/.exec(help);
  return match === null ? [] : match[1].split(',');
}

describe('shell blocks show only osprofiler subcommands and flags that exist', () => {
  const invocations = shells.flatMap(cliInvocations);
  it('the docs show osprofiler commands', () => {
    assert.ok(invocations.length >= 5, `only ${invocations.length} osprofiler commands found`);
  });
  for (const call of invocations) {
    it(`${describeSnippet(call.snippet)}: ${call.text}`, () => {
      const path: string[] = [];
      let help = helpOf(path);
      assert.ok(help !== undefined, 'osprofiler --help failed');
      let k = 0;
      for (; k < call.args.length; k++) {
        const word = call.args[k];
        if (!subcommandsOf(help).includes(word)) break;
        path.push(word);
        help = helpOf(path);
        assert.ok(help !== undefined, `osprofiler ${path.join(' ')} --help failed`);
      }
      const commandWord = call.args[k];
      if (path.length === 0 || subcommandsOf(help).length > 0) {
        // a command that needs a subcommand: the next word must be one (flags such as --version aside)
        assert.ok(
          commandWord === undefined || commandWord.startsWith('-'),
          `"${commandWord}" is not a subcommand of "osprofiler ${path.join(' ')}" (choices: ${subcommandsOf(help).join(', ')})`,
        );
      }
      const flags = call.args
        .slice(k)
        .filter((a) => a.startsWith('-'))
        .map((a) => a.replace(/=.*$/, ''));
      const listed = new Set(help.match(/(?<![\w-])--?[a-z][a-z-]*/g) ?? []);
      const missing = flags.filter((f) => !listed.has(f));
      assert.deepEqual(missing, [], `osprofiler ${path.join(' ')} --help does not list ${missing.join(', ')}`);
    });
  }
});
