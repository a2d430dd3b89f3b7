// The collector's counters and the one line that reports them.

/** What a collector has done since it started. */
export interface CollectorStats {
  /** Messages delivered by RabbitMQ (redeliveries included). */
  received: number;
  /** Notifications the store committed. */
  stored: number;
  /** Messages acknowledged after their notification was committed (or found unusable). */
  acked: number;
  /** Messages that held no usable notification (logged; dead-lettered when a queue is set). */
  bad: number;
  /** Unusable messages copied to the dead-letter queue. */
  deadLettered: number;
  /** Deliveries RabbitMQ marked as redelivered (stored again; reports show each point once). */
  redelivered: number;
  /** Store writes that failed (the batch is retried, its messages stay unacknowledged). */
  storeErrors: number;
  /** Connections to RabbitMQ after the first one. */
  reconnects: number;
  /** Notifications waiting for the store (received, not yet committed). */
  pending: number;
}

/** A zeroed counter set. */
export function emptyStats(): CollectorStats {
  return {
    received: 0,
    stored: 0,
    acked: 0,
    bad: 0,
    deadLettered: 0,
    redelivered: 0,
    storeErrors: 0,
    reconnects: 0,
    pending: 0,
  };
}

/** `received=… stored=… …` (snake_case keys, stable order, for log scrapers). */
export function formatStats(stats: CollectorStats): string {
  return (
    `received=${stats.received} stored=${stats.stored} acked=${stats.acked} bad=${stats.bad} ` +
    `dead_lettered=${stats.deadLettered} redelivered=${stats.redelivered} store_errors=${stats.storeErrors} ` +
    `reconnects=${stats.reconnects} pending=${stats.pending}`
  );
}
