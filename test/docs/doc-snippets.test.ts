// The markdown block extractor the doc tests rely on: fences, info strings, and osprofiler commands in shell blocks.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { cliInvocations, extractSnippets, snippetNeeds } from '../helpers/doc-snippets.js';

describe('extractSnippets', () => {
  it('reads language, flags, line and text of each fenced block', () => {
    const md = ['# T', '', '```js norun needs=redis,postgresql', 'a();', '```', 'text', '```', 'plain', '```', ''].join(
      '\n',
    );
    const [first, second] = extractSnippets(md, 'x.md');
    assert.deepEqual(
      { line: first.line, lang: first.lang, flags: first.flags, code: first.code },
      { line: 3, lang: 'js', flags: ['norun', 'needs=redis,postgresql'], code: 'a();\n' },
    );
    assert.deepEqual(snippetNeeds(first), ['redis', 'postgresql']);
    assert.deepEqual([second.lang, second.code], ['', 'plain\n']);
  });

  it('a longer or tilde fence holds shorter backtick fences inside it', () => {
    const md = ['````md', '```js', 'x', '```', '````', '~~~ts', 'y', '~~~'].join('\n');
    const blocks = extractSnippets(md, 'x.md');
    assert.deepEqual(
      blocks.map((b) => [b.lang, b.code]),
      [
        ['md', '```js\nx\n```\n'],
        ['ts', 'y\n'],
      ],
    );
  });

  it('an indented block (inside a list item) loses its indentation', () => {
    const blocks = extractSnippets(['- item', '  ```sh', '  npx osprofiler ui', '  ```'].join('\n'), 'x.md');
    assert.equal(blocks[0].code, 'npx osprofiler ui\n');
  });
});

describe('cliInvocations', () => {
  it('finds osprofiler and npx osprofiler commands, after prompts, variables and &&, and not npm install', () => {
    const [block] = extractSnippets(
      [
        '```sh',
        'npm install osprofiler pg     # osprofiler trace nope',
        '$ OSPROFILER_HOME=/tmp/x npx -y osprofiler trace list --limit 3',
        'cd /tmp && osprofiler trace show abc --json | head',
        '```',
      ].join('\n'),
      'x.md',
    );
    assert.deepEqual(
      cliInvocations(block).map((c) => c.args),
      [
        ['trace', 'list', '--limit', '3'],
        ['trace', 'show', 'abc', '--json'],
      ],
    );
  });
});
