// osprofiler/report: build a report from notifications and render it.
export { buildReport, ReportBuilder } from './build.js';
export { renderJson } from './json.js';
export { renderDot } from './dot.js';
export { renderHtml, type RenderHtmlOptions } from './html.js';
export { renderTraceEvent } from './trace-event.js';
export { renderTerminalTree } from './terminal.js';
export type { Report, ReportNode, ReportNodeInfo, StoredNotification, TraceSummary } from './types.js';
export { compareReports, type CompareRow, type CompareSide, type TraceComparison } from './compare.js';
export { renderComparisonText } from './compare-text.js';
export { renderComparisonHtml } from './compare-html.js';
export { criticalPath } from './critical-path.js';
export { spanLabel, spanOperation, type SpanLabel } from './span-label.js';
export { reportStartTime } from './start-time.js';
