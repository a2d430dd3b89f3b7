// Calls each read and write of a store driver once, for the tests that watch what those calls do (e.g. in which trace context they run).
import type { Driver, TraceReader } from '../../src/drivers/driver.js';
import type { Notification } from '../../src/core/payload.js';

/** Writes `start`, then reads its trace back, lists the traces (base_id and name) and the error traces. */
export async function callEachDriverMethod(driver: Driver & TraceReader, start: Notification): Promise<void> {
  await driver.notifyBatch([start]);
  await driver.getReport(start.base_id);
  await driver.listTraces(['base_id', 'name']);
  await driver.listErrorTraces();
}
