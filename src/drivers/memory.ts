// memory:// — keeps notifications in this process (tests, embedding, the demo); bounded.
import type { Notification } from '../core/payload.js';
import { buildReport } from '../report/build.js';
import type { Report, TraceSummary } from '../report/types.js';
import type { Driver, TraceReader, DriverOptions } from './driver.js';
import { storedRecord, summarize } from './records.js';

/** The data of one in-memory store; several drivers (one per service) may share it. */
export class MemoryStore {
  readonly traces = new Map<string, Notification[]>();
  readonly errors = new Map<string, TraceSummary>();
  count = 0;

  /** Most notifications kept; beyond it the oldest traces are forgotten first. */
  constructor(readonly maxRecords = 1_000_000) {}
}

/**
 * An in-memory store with the same behaviour as the persistent drivers. `memory://name`
 * connection strings name separate stores.
 * @since 0.1.0
 */
export class MemoryDriver implements Driver, TraceReader {
  /** This store can be read back (trace show, trace list, ui). */
  readonly reader: TraceReader = this;
  readonly scheme = 'memory';

  constructor(
    private readonly options: DriverOptions = {},
    readonly store: MemoryStore = new MemoryStore(),
  ) {}

  notifyBatch(batch: readonly Notification[]): void {
    const { traces, errors } = this.store;
    for (const payload of batch) {
      const record = storedRecord(payload, this.options);
      let list = traces.get(record.base_id);
      if (list === undefined) traces.set(record.base_id, (list = []));
      list.push(record);
      this.store.count++;
      const etype = (record.info as { etype?: unknown } | undefined)?.etype;
      if (this.options.filterErrorTrace && etype !== undefined && !errors.has(record.base_id)) {
        errors.set(record.base_id, { base_id: record.base_id, timestamp: record.timestamp });
      }
    }
    while (this.store.count > this.store.maxRecords && traces.size > 0) {
      const [oldest, list] = traces.entries().next().value as [string, Notification[]];
      traces.delete(oldest);
      errors.delete(oldest);
      this.store.count -= list.length;
    }
  }

  async getReport(baseId: string): Promise<Report> {
    return buildReport(this.store.traces.get(baseId) ?? []);
  }

  async listTraces(fields: readonly string[] = ['base_id', 'timestamp']): Promise<TraceSummary[]> {
    return [...this.store.traces.values()].map((records) => summarize(records, fields));
  }

  async listErrorTraces(): Promise<TraceSummary[]> {
    return [...this.store.errors.values()];
  }

  /** Every stored notification of a trace, in write order. */
  records(baseId: string): readonly Notification[] {
    return this.store.traces.get(baseId) ?? [];
  }

  describe(): string {
    return `in-memory store (${this.store.traces.size} traces)`;
  }

  close(): void {}
}
