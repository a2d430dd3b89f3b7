// Renders a report as the Graphviz DOT source `osprofiler trace show --dot` prints (graphviz 0.20 layout).
import { pythonJsonNumber } from './json.js';
import type { Report } from './types.js';

interface DotFrame {
  children: readonly unknown[];
  id: number;
  index: number;
  node: object | undefined; // undefined when the node was already on the path (not re-entered)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `"%s" % value` for the scalars a report holds. */
function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    return Number.isFinite(value) ? pythonJsonNumber(value) : value > 0 ? 'inf' : '-inf';
  }
  // why: Python would print a dict/list repr; JSON text is close enough for a graph label.
  return JSON.stringify(value) ?? String(value);
}

function detailLine(info: Record<string, unknown>, name: unknown): string | undefined {
  if (name === 'wsgi') {
    const start = info['meta.raw_payload.wsgi-start'];
    const request = isObject(start) && isObject(start.info) ? start.info.request : undefined;
    if (!isObject(request) || !Object.hasOwn(request, 'method') || !Object.hasOwn(request, 'path')) return undefined;
    // why: Python's path[:30] counts code points; Array.from keeps an astral character whole.
    const path = Array.from(pyStr(request.path)).slice(0, 30).join('');
    return `${pyStr(request.method)} ${path}..`;
  }
  if (name === 'rpc' || name === 'driver') {
    const start = info[`meta.raw_payload.${name}-start`];
    const fn = isObject(start) && isObject(start.info) ? start.info.function : undefined;
    if (!isObject(fn) || typeof fn.name !== 'string') return undefined;
    return fn.name.slice(fn.name.lastIndexOf('.') + 1);
  }
  return undefined;
}

/**
 * Control characters (C0, DEL, C1, U+2028/9) as the terminal tree shows them, `\\xNN`/`\\uNNNN`,
 * written with a doubled backslash so Graphviz draws the backslash. why: stored names come from
 * requests, and raw control characters in the source would reach the terminal or the image.
 */
function dotSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\\\x${code.toString(16).padStart(2, '0')}` : `\\\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * The label Python's `_create_dot_graph` builds: `[<service>:]<name> - <finished-started> ms`,
 * plus `\n<method> <path[:30]>..` for wsgi and `\n<last part of function name>` for rpc/driver.
 * Where Python raises, the port degrades instead: a missing start payload / request / function
 * name leaves the detail line out; a service that is not a string leaves the prefix out;
 * non-numeric times (an empty report's `finished: null`) count as 0 ms.
 */
export function dotLabel(info: Record<string, unknown>): string {
  const { started, finished } = info;
  const taken =
    typeof started === 'number' && typeof finished === 'number' && Number.isFinite(finished - started)
      ? Math.trunc(finished - started) + 0
      : 0;
  const prefix = Object.hasOwn(info, 'service') && typeof info.service === 'string' ? `${dotSafe(info.service)}:` : '';
  const label = `${prefix}${dotSafe(pyStr(info.name))} - ${taken} ms`;
  const rawDetail = detailLine(info, info.name);
  const detail = rawDetail === undefined ? undefined : dotSafe(rawDetail);
  // The source holds a backslash + "n" (Graphviz's line break), not a newline.
  return detail === undefined ? label : `${label}\\n${detail}`;
}

/**
 * Quotes a label as graphviz 0.20's `quote()` does: an HTML-like `<…>` label stays bare;
 * otherwise it is wrapped in `"…"` and every `"` preceded by an even number of backslashes
 * gets one more. Other characters (backslashes, newlines, non-ASCII) are kept verbatim.
 * why: the bare-ID case of `quote()` cannot occur, a label always contains " - ".
 */
export function quoteDotLabel(label: string): string {
  // Python's `<.*>$` (DOTALL, match) also accepts one trailing newline after the `>`.
  if (/^<[\s\S]*>\n?$/.test(label)) return label;
  let out = '';
  let backslashes = 0;
  for (const ch of label) {
    if (ch === '"' && backslashes % 2 === 0) out += '\\';
    backslashes = ch === '\\' ? backslashes + 1 : 0;
    out += ch;
  }
  return `"${out}"`;
}

/**
 * The DOT source of a report, identical to `TraceCommands._create_dot_graph(report).source` of
 * Python OSProfiler: `digraph {`, nodes numbered 0, 1, … in pre-order (0 is the `total` root),
 * each parent → child edge after the child's subtree, `}` and a final newline. Iterative (any
 * depth). Never throws: where Python raises (an rpc/driver/wsgi point without its start payload,
 * a null service) the label is degraded as {@link dotLabel} describes.
 * @since 0.1.0
 */
export function renderDot(report: Report): string {
  const lines: string[] = ['digraph {'];
  let nextId = 0;
  const stack: DotFrame[] = [];
  const onPath = new Set<object>();

  const enter = (node: unknown): number => {
    const id = nextId++;
    const obj = isObject(node) ? node : {};
    lines.push(`\t${id} [label=${quoteDotLabel(dotLabel(isObject(obj.info) ? obj.info : {}))}]`);
    // why: a node reachable from itself (only possible in hand-made objects) is not re-entered.
    const cyclic = onPath.has(obj);
    if (!cyclic) onPath.add(obj);
    const children = Array.isArray(obj.children) && !cyclic ? obj.children : [];
    stack.push({ children, id, index: 0, node: cyclic ? undefined : obj });
    return id;
  };

  enter(report);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.index < frame.children.length) {
      enter(frame.children[frame.index++]);
      continue;
    }
    stack.pop();
    if (frame.node !== undefined) onPath.delete(frame.node);
    const parent = stack[stack.length - 1];
    if (parent !== undefined) lines.push(`\t${parent.id} -> ${frame.id}`);
  }
  lines.push('}', '');
  return lines.join('\n');
}
