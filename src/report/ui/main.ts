// The report page's script entry: scripts/build-viewer.mjs bundles this file and its imports into
// src/report/viewer-script.generated.ts, which html.ts inlines into every HTML report.
import type { ViewerData } from './types.js';
import { viewerMain } from './viewer.js';

const mount = document.getElementById('osp-root');
if (mount !== null) {
  try {
    // why: user-timing marks let bench/html-report.ts (or DevTools) split load time; they cost nothing.
    performance.mark('osp-viewer-start');
    const data = JSON.parse(document.getElementById('osp-data')?.textContent ?? 'null') as ViewerData;
    performance.mark('osp-data-parsed');
    viewerMain(mount, data);
    performance.mark('osp-viewer-ready');
  } catch (err) {
    mount.textContent =
      'The report viewer failed to start: ' + (err instanceof Error && err.message ? err.message : String(err));
    mount.className = 'osp-failed';
  }
}
