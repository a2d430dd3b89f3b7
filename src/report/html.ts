// Renders a report as one self-contained HTML page (data + viewer inlined; nothing fetched).
import { gzipSync } from 'node:zlib';
import { cspHash, escapeJsonText, jsonForScript } from './html-escape.js';
import { htmlPage } from './html-page.js';
import type { Report } from './types.js';
import { VIEWER_CSS } from './ui/styles.js';
import { VIEWER_SCRIPT } from './viewer-script.generated.js';
import { toViewerData } from './viewer-data.js';

/** Options of {@link renderHtml}. */
export interface RenderHtmlOptions {
  /** Page title and heading (default: `Trace <base_id>`). */
  title?: string;
  /**
   * Gzip the stored payloads inside the page (`'auto'`, the default: when they exceed 1 MB).
   * Compressed pages load big traces several times faster; plain ones can be grepped.
   */
  compressPayloads?: boolean | 'auto';
  /** A link above the heading, e.g. back to the trace browser's list (`osprofiler ui`). */
  backLink?: { href: string; label: string };
}

// why: below this many characters of payload JSON the plain block parses in a few ms, and stays
// readable in the file; above it Chromium's ~30 MB/s HTML tokenizer makes gzip+base64 faster.
const COMPRESS_ABOVE_CHARS = 1_000_000;
// why: a click inflates only its span's block (~1-2 MB of JSON, a few ms); gzip's 32 KB window
// means blocks this large compress as well as one stream.
const LINES_PER_BLOCK = 2048;

function gzipBlocks(lines: string[]): string {
  // why: escaped as in the plain block, so the in-page search encodes its needle one way for both.
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i += LINES_PER_BLOCK) {
    blocks.push(
      gzipSync(escapeJsonText(lines.slice(i, i + LINES_PER_BLOCK).join('\n')), { level: 6 }).toString('base64'),
    );
  }
  return blocks.join('\n');
}

// why: the script goes inside a <script> element; a literal "</script" or "<!--" in it would end or
// change the element. The bundle is fixed at build time, so it is checked once, when first used.
let checkedScript: string | undefined;

function viewerScript(): string {
  if (checkedScript !== undefined) return checkedScript;
  if (/<\/script/i.test(VIEWER_SCRIPT) || /<!--/.test(VIEWER_SCRIPT)) {
    throw new Error('viewer script contains a script terminator');
  }
  checkedScript = VIEWER_SCRIPT;
  return checkedScript;
}

/**
 * Renders `report` as a single HTML file: the trace as an indented tree next to a waterfall
 * (bars placed by start and duration, coloured by service), stats per span type and service,
 * span details with raw start/stop payloads, expand/collapse and search.
 *
 * The page fetches nothing: CSS and script are inline and allowed only by hash through a strict
 * Content-Security-Policy (`default-src 'none'`). Report data is embedded as JSON in a
 * `<script type="application/json">` and only ever shown through textContent, so markup in
 * statements or URLs is displayed as text. Rows are virtualised (100,000 spans stay responsive).
 * @since 0.1.0
 */
export function renderHtml(report: Report, options: RenderHtmlOptions = {}): string {
  const script = viewerScript();
  const { data, payloads } = toViewerData(report, '');
  const title =
    options.title != null ? String(options.title) : data.baseId ? `Trace ${data.baseId}` : 'OSProfiler trace';
  data.title = title;
  if (options.backLink !== undefined) data.backLink = { href: options.backLink.href, label: options.backLink.label };
  const csp = [
    "default-src 'none'",
    `script-src ${cspHash(script)}`,
    `style-src ${cspHash(VIEWER_CSS)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  // why: payload lines are JSON (no raw newline) escaped like the data, so "</script" cannot occur
  // (base64 has no "<" at all); the block comes after the viewer script so the tree shows first.
  const lines = escapeJsonText(payloads.join('\n'));
  const compress = options.compressPayloads ?? 'auto';
  const payloadBlock =
    payloads.length > 0 && (compress === true || (compress === 'auto' && lines.length > COMPRESS_ABOVE_CHARS))
      ? `<script type="application/octet-stream" id="osp-payloads" data-encoding="gzip-base64" data-block="${LINES_PER_BLOCK}">${gzipBlocks(payloads)}</script>`
      : `<script type="text/plain" id="osp-payloads">${lines}</script>`;
  return htmlPage({
    title,
    css: VIEWER_CSS,
    csp,
    body: [
      '<div id="osp-root"><noscript>This report needs JavaScript to display the trace.</noscript></div>',
      `<script type="application/json" id="osp-data">${jsonForScript(data)}</script>`,
      `<script>${script}</script>`,
      payloadBlock,
    ],
  });
}
