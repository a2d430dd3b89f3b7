// Reading a demo trace back: waits until every service wrote it whole, and says what a report holds.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Report, ReportNode } from '../report/index.js';

/** Facts about one trace's report. */
export interface TraceFacts {
  points: number;
  /** Points missing their start or stop notification. */
  incomplete: number;
  /** Points whose parent is neither the trace's base nor another point of it. */
  orphans: number;
  /** `<project>-<service>` of every point. */
  services: Set<string>;
  /** Names of the points (wsgi, rpc, db, http, driver…). */
  names: Set<string>;
}

/** Counts points, incomplete points, orphans, services and point names of a report (iterative). */
export function traceFacts(report: Report, baseId: string): TraceFacts {
  const facts: TraceFacts = { points: 0, incomplete: 0, orphans: 0, services: new Set(), names: new Set() };
  const ids = new Set<string>([baseId]);
  const all: ReportNode[] = [];
  const stack: ReportNode[] = [...(report.children ?? [])];
  while (stack.length > 0) {
    const node = stack.pop()!;
    all.push(node);
    ids.add(node.trace_id);
    stack.push(...(node.children ?? []));
  }
  for (const node of all) {
    const info = node.info as unknown as Record<string, unknown>;
    facts.points++;
    const payloads = Object.keys(info).filter((key) => key.startsWith('meta.raw_payload.'));
    if (payloads.length < 2) facts.incomplete++;
    if (!ids.has(node.parent_id)) facts.orphans++;
    facts.services.add(`${String(info.project)}-${String(info.service)}`);
    facts.names.add(String(info.name));
  }
  return facts;
}

/**
 * Flushes every service and reads the trace until it is whole (every point started and stopped,
 * none orphaned), or `timeoutMs` passed; resolves with the last report read.
 * why: the client's answer can arrive before a service has queued its last stop notification.
 */
export async function readWholeTrace(
  flushAll: () => Promise<void>,
  getReport: (baseId: string) => Promise<Report>,
  baseId: string,
  timeoutMs = 10_000,
): Promise<Report> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await flushAll();
    const report = await getReport(baseId);
    const facts = traceFacts(report, baseId);
    if ((facts.points > 0 && facts.incomplete === 0 && facts.orphans === 0) || Date.now() > deadline) return report;
    await sleep(30);
  }
}
