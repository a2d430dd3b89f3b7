// Renders a trace comparison as aligned terminal tables (slower in red, faster in green when coloured).
import type { CompareRow, CompareTraceSummary, TraceComparison } from './compare.js';
import { terminalSafe } from './terminal.js';

/** Options of {@link renderComparisonText}. */
export interface ComparisonTextOptions {
  /** Use ANSI colours. */
  color?: boolean;
  /** Rows per table (default 15; 0 shows all). */
  limit?: number;
  /** How A and B are named in the heading (default "A" and "B"). */
  labels?: { a: string; b: string };
}

const KEY_WIDTH = 60;

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

function signed(value: number): string {
  const v = Math.round(value);
  return v > 0 ? `+${v} ms` : v < 0 ? `−${-v} ms` : '0 ms';
}

function percent(from: number, to: number): string {
  if (from === 0) return to === 0 ? '' : ' (new)';
  const p = ((to - from) / from) * 100;
  return ` (${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(1)}%)`;
}

function summary(s: CompareTraceSummary): string {
  return `${ms(s.durationMs)}, ${s.spans} span${s.spans === 1 ? '' : 's'}${s.errors ? `, ${s.errors} error${s.errors === 1 ? '' : 's'}` : ''}`;
}

/**
 * The comparison as text: a heading with both traces' durations, then one table per dimension
 * (span type, service, operation): count, total and self time in A and B and the deltas, the
 * largest change first. Keys are made safe to print. Ends with a newline.
 * @since 0.2.0
 */
export function renderComparisonText(cmp: TraceComparison, options: ComparisonTextOptions = {}): string {
  const color = options.color === true;
  const paint = (code: string, text: string): string => (color && text !== '' ? `\x1b[${code}m${text}\x1b[0m` : text);
  const limit = options.limit === undefined ? 15 : Math.max(0, Math.floor(options.limit));
  const labels = options.labels ?? { a: 'A', b: 'B' };
  const out: string[] = [
    `${paint('1', 'A')}: ${terminalSafe(labels.a)} — ${summary(cmp.a)}`,
    `${paint('1', 'B')}: ${terminalSafe(labels.b)} — ${summary(cmp.b)}`,
    `Duration: ${ms(cmp.a.durationMs)} → ${ms(cmp.b.durationMs)}, ${paint(
      cmp.b.durationMs > cmp.a.durationMs ? '31' : cmp.b.durationMs < cmp.a.durationMs ? '32' : '2',
      `${signed(cmp.b.durationMs - cmp.a.durationMs)}${percent(cmp.a.durationMs, cmp.b.durationMs)}`,
    )}`,
  ];
  const table = (title: string, head: string, rows: CompareRow[]): void => {
    const shown = limit === 0 ? rows : rows.slice(0, limit);
    const keys = shown.map((r) => terminalSafe(cut(r.key, KEY_WIDTH)));
    const keyWidth = Math.max(head.length, ...keys.map((k) => Array.from(k).length));
    const cols = ['count A', 'count B', 'total A', 'total B', 'self A', 'self B', 'Δ total', 'Δ self'];
    const cells = shown.map((r) => [
      String(r.a.count),
      String(r.b.count),
      ms(r.a.totalMs),
      ms(r.b.totalMs),
      ms(r.a.selfMs),
      ms(r.b.selfMs),
      signed(r.deltaMs),
      signed(r.deltaSelfMs),
    ]);
    const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
    const pad = (text: string, width: number): string =>
      text + ' '.repeat(Math.max(0, width - Array.from(text).length));
    out.push(
      '',
      paint('1', `${title}${rows.length > shown.length ? ` (largest ${shown.length} of ${rows.length} changes)` : ''}`),
    );
    out.push(paint('2', `  ${pad(head, keyWidth)}  ${cols.map((c, i) => c.padStart(widths[i])).join('  ')}`));
    shown.forEach((r, n) => {
      const values = cells[n].map((c, i) => {
        const text = c.padStart(widths[i]);
        if (i < 6) return text;
        const d = i === 6 ? r.deltaMs : r.deltaSelfMs;
        return paint(d > 0 ? '31' : d < 0 ? '32' : '2', text);
      });
      out.push(`  ${pad(keys[n], keyWidth)}  ${values.join('  ')}`);
    });
    if (shown.length === 0) out.push(paint('2', '  (no spans)'));
  };
  table('By span type', 'type', cmp.byType);
  table('By service', 'service', cmp.byService);
  table('By operation', 'operation', cmp.byOperation);
  return `${out.join('\n')}\n`;
}
