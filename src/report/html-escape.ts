// What every HTML page we render (the report, the trace browser) uses to embed untrusted text safely.
import { createHash } from 'node:crypto';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text safe inside HTML elements and quoted attribute values.
 * why: trace data (URLs, SQL text, error messages) is attacker-controlled.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON text made safe to place inside a `<script type="application/json">` element.
 * why: `<`, `>` and `&` are escaped as \u003c etc. so no `</script>` or `<!--` can close or alter
 * the element, whatever a SQL statement or URL contains; U+2028/9 too, so the text stays valid
 * were it ever evaluated as a script. All of these only ever occur inside JSON strings.
 */
export function escapeJsonText(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** A value as JSON for a `<script type="application/json">` element (see escapeJsonText). */
export function jsonForScript(value: unknown): string {
  return escapeJsonText(JSON.stringify(value));
}

/** The CSP source (`'sha256-…'`) that allows exactly this inline script or stylesheet. */
export function cspHash(text: string): string {
  return "'sha256-" + createHash('sha256').update(text, 'utf8').digest('base64') + "'";
}
