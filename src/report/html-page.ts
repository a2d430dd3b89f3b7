// The document frame every HTML page we render shares: the report, the comparison, the trace browser.
import { escapeHtml } from './html-escape.js';

/** What {@link htmlPage} puts around a page's body. */
export interface HtmlPageParts {
  /** The page title (escaped here). */
  title: string;
  /** The page's one inline stylesheet. */
  css: string;
  /** A Content-Security-Policy for a page opened from a file; a served page sends it as a header. */
  csp?: string;
  /** Body markup, already escaped, one entry per line. */
  body: string[];
}

/**
 * A complete HTML document around `parts.body`.
 * why: the referrer policy keeps trace URLs out of any link a reader follows from the page.
 */
export function htmlPage(parts: HtmlPageParts): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    ...(parts.csp === undefined
      ? []
      : [`<meta http-equiv="Content-Security-Policy" content="${escapeHtml(parts.csp)}">`]),
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<meta name="generator" content="osprofiler (Node.js)">',
    `<title>${escapeHtml(parts.title)}</title>`,
    `<style>${parts.css}</style>`,
    '</head>',
    '<body>',
    ...parts.body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
