// Draws a table the way Python's prettytable does for `osprofiler trace list` (left-aligned, +---+ borders).
import { terminalSafe } from '../report/terminal.js';

/** Display width of a cell: code points (wide CJK/emoji are not measured; trace ids and times are ASCII). */
function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * `+---+` rule, `| header |` line, rule, one line per row, rule: prettytable's default style with
 * left alignment and one space of padding. With no rows, only the header block (as Python).
 * Cells are made safe to print (control characters escaped). Ends with a newline.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const safeRows = rows.map((row) => headers.map((_, i) => terminalSafe(row[i] ?? '')));
  const widths = headers.map((h, i) => Math.max(width(h), ...safeRows.map((r) => width(r[i]))));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (cells: readonly string[]): string =>
    `|${cells.map((c, i) => ` ${c}${' '.repeat(widths[i] - width(c))} `).join('|')}|`;
  const out = [rule, line(headers), rule, ...safeRows.map(line), rule];
  return `${out.join('\n')}\n`;
}
