import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { renderHtml } from '../../../src/report/html.js';
import type { Report } from '../../../src/report/types.js';
import { VIEWER_SCRIPT } from '../../../src/report/viewer-script.generated.js';

describe('the HTML report viewer bundle', () => {
  it('is the current build of src/report/ui (run `npm run build:viewer` after editing the viewer)', async () => {
    const script = fileURLToPath(new URL('../../../scripts/build-viewer.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
  });

  it('is what a rendered report runs, allowed by its CSP hash', () => {
    const report: Report = {
      info: { name: 'total', started: 0, finished: 0, last_trace_started: -1 },
      children: [],
      stats: {},
    };
    const html = renderHtml(report);
    assert.ok(html.includes(`<script>${VIEWER_SCRIPT}</script>`));
    const hash = createHash('sha256').update(VIEWER_SCRIPT).digest('base64');
    assert.ok(html.includes(`script-src &#39;sha256-${hash}&#39;`), 'the CSP allows exactly this script');
  });
});
