// osprofiler/report: build a report from notifications and render it.
export { buildReport, ReportBuilder } from './build.js';
export { renderJson } from './json.js';
export { renderDot } from './dot.js';
export { renderHtml, type RenderHtmlOptions } from './html.js';
export { renderTraceEvent } from './trace-event.js';
export { renderTerminalTree } from './terminal.js';
export type { Report, ReportNode, ReportNodeInfo, StoredNotification, TraceSummary } from './types.js';
