// osprofiler: the public core API (re-exports only).
export { init, get, clean, start, stop, runWithProfiler, type TraceContext } from './core/current.js';
export { Profiler } from './core/profiler.js';
export { trace, withTrace, Trace, type TraceOptions, type TraceWrapper } from './core/trace.js';
export { traceClass, Traced, type TraceClassOptions, type TracedArgs } from './core/trace-class.js';
export { signedPack, signedUnpack, generateHmac } from './propagation/signing.js';
export { getTraceIdHeaders, X_TRACE_INFO, X_TRACE_HMAC } from './propagation/headers.js';
export { notify, getNotifier, setNotifier, type NotifyFn } from './notifier/notifier.js';
export {
  createNotifier,
  clearNotifierCache,
  type DeadlineOptions,
  type Notifier,
  type NotifierOptions,
} from './notifier/create.js';
export { flush, shutdown, notifierStats, flushOnExit } from './notifier/lifecycle.js';
export type { NotifierStats, QueueOptions } from './notifier/queue.js';
export { buildReport } from './report/build.js';
export type { Report, ReportNode, ReportNodeInfo, TraceSummary } from './report/types.js';
export { shortenId, getShortenId, uuidToInt128 } from './core/ids.js';
export type { Notification, TraceInfo } from './core/payload.js';
export { initFromConf } from './config/initializer.js';
export { enableWebTrace, disableWebTrace } from './config/web-trace.js';
export { isTraceEnabled, isDbTraceEnabled, setDefaults, loadConf, type ProfilerConf } from './config/conf.js';
export { listOpts, type OptionGroup } from './config/options.js';
export { setLogSink } from './log.js';
export {
  OsprofilerError,
  ConfigError,
  BadConnectionStringError,
  DriverMissingError,
  DriverUnavailableError,
  NotSupportedError,
  TraceNotFoundError,
} from './errors.js';
