// The report object, in the exact shape Python's drivers return from get_report().
import type { Notification } from '../core/payload.js';

/** A notification as stored (with the project and service the driver added). */
export type StoredNotification = Notification;

/** Info of one report node; the `meta.raw_payload.<name>` keys hold the stored notifications. */
export interface ReportNodeInfo {
  name: string;
  project: unknown;
  service: unknown;
  host: unknown;
  started: number;
  finished: number;
  exception?: unknown;
  [rawPayloadKey: string]: unknown;
}

/** One trace point in the report tree. */
export interface ReportNode {
  info: ReportNodeInfo;
  trace_id: string;
  parent_id: string;
  children: ReportNode[];
}

/** The whole report: root info, the tree and per-name stats. */
export interface Report {
  info: { name: 'total'; started: 0; finished: number; last_trace_started: number | null };
  children: ReportNode[];
  stats: Record<string, { count: number; duration: number }>;
}

/** One entry of listTraces(): by default `base_id` and `timestamp` of the earliest record. */
export type TraceSummary = Record<string, unknown> & { base_id: string };
