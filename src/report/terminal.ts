// Renders a report as a terminal tree: start offset, duration, a timeline bar, operations, types and services, details, errors, the critical path.
import { criticalPath } from './critical-path.js';
import { spanLabel, walkReport } from './span-label.js';
import { formatUtc, reportStartTime } from './start-time.js';
import type { Report, ReportNode } from './types.js';

/** Options of {@link renderTerminalTree}. */
export interface TerminalTreeOptions {
  /** Use ANSI colours (the CLI decides from NO_COLOR, --no-color and the terminal). */
  color?: boolean;
  /** The trace id shown in the header (default: read from the report's payloads). */
  baseId?: string;
  /** Width of the timeline bar in characters (default 20; 0 hides it). */
  barWidth?: number;
  /** Longest detail text before it is cut with "…" (default 100). */
  maxDetail?: number;
  /** Mark the points on the critical path (see {@link criticalPath}) with ◆ and a yellow bar. */
  criticalPath?: boolean;
}

const ANSI = {
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  magenta: '\x1b[35m',
  cyan: '\x1b[36m',
  reset: '\x1b[0m',
} as const;

/** Deeper points are drawn with their depth number instead of full indentation. */
const MAX_INDENT = 40;

type Paint = (style: keyof typeof ANSI, text: string) => string;

/**
 * Makes stored text safe to print: control characters (ESC and the rest of C0/C1, DEL) become
 * `\xNN`/`\uNNNN`. why: trace data comes from requests (paths, SQL) and must not be able to
 * drive the user's terminal with escape sequences.
 */
export function terminalSafe(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function findBaseId(report: Report): string | undefined {
  for (const node of report.children ?? []) {
    for (const value of Object.values(node?.info ?? {})) {
      const id = (value as { base_id?: unknown } | null)?.base_id;
      if (typeof id === 'string') return id;
    }
  }
  return undefined;
}

function bar(started: number, finished: number, total: number, width: number): string {
  if (width <= 0) return '';
  if (total <= 0) return '▏'.padEnd(width, ' ');
  const from = Math.min(width - 1, Math.floor((started / total) * width));
  const to = Math.max(from + 1, Math.min(width, Math.ceil((finished / total) * width)));
  return ' '.repeat(from) + '█'.repeat(to - from) + ' '.repeat(width - to);
}

/**
 * The report as a tree for a terminal, one line per trace point:
 * `  +3 ms    1 ms  ▕  ██   ▏ ├─ db  nova-api  SELECT …` with a header (trace id, duration,
 * points, services) and a footer of per-name stats. Host is shown where it changes from the
 * parent. Stored text is made safe to print (see {@link terminalSafe}). Iterative: any depth.
 * Ends with a newline. Never throws for report-shaped input.
 * @since 0.1.0
 */
export function renderTerminalTree(report: Report, options: TerminalTreeOptions = {}): string {
  const color = options.color === true;
  const paint: Paint = color
    ? (style, text) => (text === '' ? '' : `${ANSI[style]}${text}${ANSI.reset}`)
    : (_s, text) => text;
  const barWidth = Math.max(0, Math.floor(options.barWidth ?? 20));
  const maxDetail = Math.max(10, Math.floor(options.maxDetail ?? 100));
  const total = num(report?.info?.finished);
  const lines: string[] = [];
  const services = new Set<string>();
  let points = 0;
  let errors = 0;
  const body: string[] = [];
  const hostAt: string[] = [];

  const critical = options.criticalPath === true ? criticalPath(report) : undefined;
  let criticalPoints = 0;
  walkReport(report?.children ?? [], (node: ReportNode, depth, lastFlags) => {
    points++;
    const info = (node.info ?? {}) as Record<string, unknown>;
    const started = num(info.started);
    const finished = num(info.finished);
    const label = spanLabel(info);
    const service = terminalSafe(label.service);
    if (service) services.add(service);
    const host = typeof info.host === 'string' ? terminalSafe(info.host) : '';
    hostAt[depth] = host;
    const showHost = host !== '' && (depth === 0 || hostAt[depth - 1] !== host);
    let prefix = '';
    if (depth > MAX_INDENT) {
      // why: full indentation makes the output quadratic in depth (a 20,000-deep chain would be GBs).
      prefix = `⋮${depth} ${lastFlags[depth] ? '└─ ' : '├─ '}`;
    } else {
      for (let d = 1; d <= depth; d++)
        prefix += d === depth ? (lastFlags[d] ? '└─ ' : '├─ ') : lastFlags[d] ? '   ' : '│  ';
    }
    const error = label.error;
    if (error) errors++;
    const onPath = critical?.has(node) === true;
    if (onPath) criticalPoints++;
    const barStyle = error ? 'red' : onPath ? 'yellow' : 'cyan';
    const parts = [
      paint('dim', `+${started} ms`.padStart(10)),
      paint(error ? 'red' : 'cyan', `${finished - started} ms`.padStart(9)),
      critical !== undefined ? (onPath ? paint('yellow', '◆') : ' ') : '',
      barWidth > 0
        ? paint('dim', '▕') + paint(barStyle, bar(started, finished, total, barWidth)) + paint('dim', '▏')
        : '',
      paint('dim', prefix) + paint('bold', terminalSafe(cut(label.operation, maxDetail))),
    ];
    let line = parts.filter((p) => p !== '').join(' ');
    // why: a point with nothing better to name it by is named by its type; the chip then skips it.
    const chipType = label.operation === label.type ? '' : terminalSafe(label.type);
    const chip = [chipType, `${service}${showHost ? `@${host}` : ''}`].filter((p) => p !== '').join(' ');
    if (chip) line += '  ' + paint('magenta', chip);
    const detail = label.detail;
    if (detail && detail !== label.operation) line += '  ' + paint('dim', terminalSafe(cut(detail, maxDetail)));
    if (error) {
      const message = error.message ? `: ${cut(error.message, maxDetail)}` : '';
      line += '  ' + paint('red', terminalSafe(`✗ ${error.etype}${message}`));
    }
    body.push(line);
  });

  const baseId = options.baseId ?? findBaseId(report);
  const summary = [
    `${total} ms`,
    plural(points, 'point'),
    errors > 0 ? paint('red', `${errors} error${errors === 1 ? '' : 's'}`) : '',
    services.size > 0 ? [...services].sort().join(', ') : '',
  ].filter((p) => p !== '');
  lines.push(`${paint('bold', `Trace ${terminalSafe(baseId ?? '')}`.trimEnd())} — ${summary.join(' · ')}`);
  const startedAt = reportStartTime(report);
  const when = startedAt !== undefined ? formatUtc(startedAt) : '';
  const legend = critical !== undefined ? `   ◆ critical path: ${plural(criticalPoints, 'point')}` : '';
  lines.push(
    paint('dim', `${'start'.padStart(10)} ${'duration'.padStart(9)}${when ? `   started ${when}` : ''}${legend}`),
  );
  lines.push(...body);
  const stats = Object.entries(report?.stats ?? {}).map(
    ([name, s]) => `${terminalSafe(name)} ${num(s?.count)}× ${num(s?.duration)} ms`,
  );
  if (stats.length > 0) lines.push(paint('dim', `stats: ${stats.join(' · ')}`));
  return `${lines.join('\n')}\n`;
}
