// A throw-away project where `osprofiler` is an installed package (a symlink to this repository), for doc snippets.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './built-bin.js';

/** A temp project: `dir` has package.json and node_modules; `home` is its OSPROFILER_HOME. */
export interface SnippetProject {
  dir: string;
  home: string;
  remove(): void;
}

/**
 * Makes a project whose node_modules holds `osprofiler` (→ this repository: its package.json
 * exports and dist/ types, so build first) and every package this repository installed (pg, knex,
 * express, @types/node…), linked. `type` is the package.json "type".
 */
export function createSnippetProject(prefix: string, type: 'module' | 'commonjs'): SnippetProject {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name === 'osprofiler' || name === '.package-lock.json') continue;
    symlinkSync(join(root, 'node_modules', name), join(modules, name));
  }
  symlinkSync(root, join(modules, 'osprofiler'), 'dir');
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'snippet-project', version: '1.0.0', private: true, type }, null, 2)}\n`,
  );
  const home = join(dir, 'osprofiler-home');
  mkdirSync(home);
  return { dir, home, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a child process printed and how it ended. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs `node [nodeArgs] file` in the project with a clean environment (PATH, HOME and
 * OSPROFILER_HOME inside the project, plus `env`); kills it after `timeoutMs`.
 */
export function runInProject(
  project: SnippetProject,
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: project.dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: project.dir,
        LANG: 'C.UTF-8',
        OSPROFILER_HOME: project.home,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** The tsconfig the snippets are checked with: the repository's module settings, strict, JavaScript checked too. */
export const SNIPPET_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023', 'ESNext.Disposable', 'DOM'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    allowJs: true,
    checkJs: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
  },
};
