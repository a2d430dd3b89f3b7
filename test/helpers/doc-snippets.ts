// Extracts the fenced code blocks of README.md and docs/**/*.md, with what their info string asks of the tests.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The info-string convention (first word: the language; then flags, any order):
 *
 * - ```ts / ```js / ```mjs / ```cjs: a complete program. It is type-checked (`tsc --strict`; JavaScript
 *   with `checkJs`) and run in a new project where `osprofiler` is installed.
 * - `fragment`: part of a program (placeholders such as `…`, names defined elsewhere): neither
 *   type-checked nor run.
 * - `norun`: type-checked but not run (a server that runs until stopped, a host that does not exist).
 * - `needs=redis,postgresql`: run only when those services are reachable (test/helpers/services.ts).
 * - ```sh / ```bash: not run; every `osprofiler …` / `npx osprofiler …` command in them must name a
 *   subcommand and flags that the CLI's help lists.
 * - anything else (```json, ```text, no info string): text, not checked.
 */
export interface Snippet {
  /** The markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word, lower case ('' when there is none). */
  lang: string;
  /** The info string's other words (`fragment`, `norun`, `needs=…`). */
  flags: readonly string[];
  /** The block's text, with a final newline. */
  code: string;
}

/** Languages whose blocks are programs. */
export const PROGRAM_LANGS = new Set(['ts', 'js', 'mjs', 'cjs']);
/** Languages whose blocks are shell commands. */
export const SHELL_LANGS = new Set(['sh', 'bash', 'shell']);
/** Flags a program block may carry; any other word is a typo the tests report. */
export const KNOWN_FLAGS = /^(fragment|norun|needs=[a-z0-9]+(,[a-z0-9]+)*)$/;

/** Services a `needs=` flag may name. */
export const KNOWN_SERVICES = new Set(['redis', 'postgresql', 'mysql', 'rabbitmq']);

/** `label` for messages: `docs/api.md:12 (js)`. */
export function describeSnippet(s: Snippet): string {
  return `${s.file}:${s.line} (${[s.lang || 'no info string', ...s.flags].join(' ')})`;
}

/** The services a snippet's `needs=` flags name. */
export function snippetNeeds(s: Snippet): string[] {
  return s.flags.filter((f) => f.startsWith('needs=')).flatMap((f) => f.slice('needs='.length).split(','));
}

/** Every fenced block of one markdown text (``` or ~~~ fences, CommonMark's closing rule). */
export function extractSnippets(markdown: string, file: string): Snippet[] {
  const lines = markdown.split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]);
    if (open === null) continue;
    const [, indent, fence, info] = open;
    // why: a backtick fence's info string may not contain backticks (CommonMark); such a line is text.
    if (fence[0] === '`' && info.includes('`')) continue;
    const body: string[] = [];
    let j = i + 1;
    const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    for (; j < lines.length && !close.test(lines[j]); j++) {
      body.push(indent.length > 0 ? lines[j].replace(new RegExp(`^ {0,${indent.length}}`), '') : lines[j]);
    }
    const words = info.trim().split(/\s+/).filter(Boolean);
    out.push({
      file,
      line: i + 1,
      lang: (words[0] ?? '').toLowerCase(),
      flags: words.slice(1),
      code: body.length > 0 ? `${body.join('\n')}\n` : '',
    });
    i = j;
  }
  return out;
}

/** README.md and every docs/**\/*.md of the repository at `root`, in a stable order. */
export function docFiles(root: string): string[] {
  const files = [join(root, 'README.md')];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.md')) files.push(full);
    }
  };
  walk(join(root, 'docs'));
  return files;
}

/** The snippets of README.md and docs/**\/*.md. */
export function repositorySnippets(root: string): Snippet[] {
  return docFiles(root).flatMap((path) => extractSnippets(readFileSync(path, 'utf8'), relative(root, path)));
}

/** One `osprofiler` invocation found in a shell block: the words after `osprofiler`. */
export interface CliInvocation {
  snippet: Snippet;
  /** The command line as written (for messages). */
  text: string;
  args: string[];
}

/**
 * The `osprofiler …` / `npx osprofiler …` commands of a shell block: each line (comments cut,
 * split at `&&`, `||`, `;`, `|`), skipping a `$ ` prompt and leading `VAR=value` assignments.
 * `npm install osprofiler` is not a command of ours (its first word is npm).
 */
export function cliInvocations(snippet: Snippet): CliInvocation[] {
  const found: CliInvocation[] = [];
  for (const rawLine of snippet.code.split('\n')) {
    const line = rawLine.replace(/(^|\s)#.*$/, '');
    for (const part of line.split(/&&|\|\||;|\|/)) {
      const words = part.trim().split(/\s+/).filter(Boolean);
      let k = 0;
      if (words[k] === '$') k++;
      while (k < words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[k])) k++;
      if (words[k] === 'npx') {
        k++;
        while (k < words.length && words[k].startsWith('-')) k++;
      }
      if (words[k] !== 'osprofiler') continue;
      found.push({ snippet, text: part.trim(), args: words.slice(k + 1) });
    }
  }
  return found;
}
