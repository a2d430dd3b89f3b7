// osprofiler/rpc: trace context in messages (oslo trace_info, signed headers), amqplib channels, worker threads.
export {
  serializeTraceInfo,
  withTraceInfo,
  readTraceInfo,
  traceHeaders,
  readSignedTraceHeaders,
  withTraceHeaders,
  injectContextTraceInfo,
  extractContextTraceInfo,
  CONTEXT_TRACE_INFO_KEY,
  type TraceContext,
  type TraceInfoOptions,
  type TraceHeadersOptions,
} from './propagation/trace-info.js';
export {
  instrumentAmqp,
  type AmqpTraceOptions,
  type AmqpPropagation,
  type AmqpChannelLike,
  type AmqpMessageLike,
  type AmqpPublishOptionsLike,
} from './instrumentation/amqp.js';
export {
  traceWorkerData,
  restoreInWorker,
  runInWorkerTrace,
  WORKER_TRACE_KEY,
  type WorkerTrace,
  type WorkerTraceData,
  type WorkerTraceOptions,
} from './instrumentation/workers.js';
