// Issue 12 bench: `osprofiler collect` throughput, RabbitMQ → SQLite, next to a raw SQLite insert and a raw consume of the same messages in the same run.
// Run: node --import tsx bench/collect.ts   (OSP_BENCH_N notifications, default 100000; OSP_BENCH_AMQP_URL, default the local guest account)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqplib, { type ConsumeMessage } from 'amqplib';
import { loadSqlite } from '../src/drivers/sqlite/library.js';
import { Collector } from '../src/collector/collector.js';
import {
  collectorConnect,
  type CollectorChannelLike,
  type CollectorConnectionLike,
  type CollectorDelivery,
} from '../src/collector/amqp-source.js';
import { loadAmqplibConnect } from '../src/drivers/messaging/client.js';
import { buildNotificationMessage, encodeMessageBody } from '../src/drivers/messaging/message.js';
import { createSqliteDriver } from '../src/drivers/sqlite/driver.js';
import {
  createIndexSql,
  createTableSql,
  notificationToRow,
  rowValues,
  SQL_INSERT_COLUMNS,
} from '../src/drivers/sql/layout.js';
import type { Notification } from '../src/core/payload.js';
import { row } from './harness.js';

const Database = loadSqlite();

const N = Number(process.env.OSP_BENCH_N ?? 100_000);
const URL = process.env.OSP_BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const PER_TRACE = 100;
const BATCH = 2000; // the collector's default batch, and the baselines' rows per transaction / per ack
const id = randomUUID();
const exchange = `osprofiler-bench-${id}`;
const topic = `profiler-bench-${id}`;
const queue = `${topic}.info`;
const rawQueue = `${topic}.raw`; // the raw consume's own copy of the messages
const dir = mkdtempSync(join(tmpdir(), 'osp-bench-collect-'));

function ts(i: number): string {
  const us = 100_000 + i * 37;
  const s = Math.floor(us / 1_000_000);
  return `2024-05-14T09:30:${String(12 + s).padStart(2, '0')}.${String(us % 1_000_000).padStart(6, '0')}`;
}

/** N stored notifications: PER_TRACE per trace, start/stop pairs, with project and service as sent. */
function notifications(): Notification[] {
  const out: Notification[] = [];
  let base = randomUUID();
  let trace = randomUUID();
  for (let i = 0; i < N; i++) {
    if (i % PER_TRACE === 0) base = randomUUID();
    if (i % 2 === 0) trace = randomUUID();
    out.push({
      name: i % 2 === 0 ? 'db-start' : 'db-stop',
      base_id: base,
      trace_id: trace,
      parent_id: base,
      timestamp: ts(i),
      info:
        i % 2 === 0
          ? { host: 'bench', db: { statement: 'SELECT * FROM instances WHERE id = %s', params: [i] } }
          : { host: 'bench' },
      project: 'nova',
      service: 'api',
    });
  }
  return out;
}

function cpuMs(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

async function fillQueue(bodies: Buffer[], queue: string): Promise<void> {
  const connection = await amqplib.connect(URL);
  const channel = await connection.createConfirmChannel();
  await channel.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
  await channel.assertQueue(queue, { durable: false, autoDelete: false });
  await channel.bindQueue(queue, exchange, queue);
  for (const body of bodies) {
    if (!channel.publish(exchange, queue, body, { contentType: 'application/json' }))
      await new Promise((resolve) => channel.once('drain', resolve));
  }
  await channel.waitForConfirms();
  await connection.close();
}

/** The collector into a fresh SQLite file: ms from start until every message is acknowledged. */
async function collectorRun(
  label: string,
  connect: (url: string) => Promise<CollectorConnectionLike>,
): Promise<{ wall: number; cpu: number }> {
  const store = await createSqliteDriver(`sqlite:///${join(dir, `${label}.db`)}`, {});
  const lines: string[] = [];
  const log = (line: string): void => void lines.push(`${Math.round(performance.now())} ${line}`);
  const options = { store, connect, transportUrl: URL, controlExchange: exchange, topic, batchSize: BATCH, log };
  const collector = new Collector({ ...options, hostColumn: true });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  collector.start();
  while (collector.stats().acked < N) await new Promise((resolve) => setTimeout(resolve, 5));
  const wall = performance.now() - t0;
  const cpu = cpuMs(c0);
  const stats = await collector.stop();
  if (stats.stored !== N || stats.bad !== 0)
    throw new Error(`collector stored ${stats.stored} of ${N}: ${JSON.stringify(stats)}\n${lines.join('\n')}`);
  return { wall, cpu };
}

/**
 * An in-process stand-in for RabbitMQ that hands `bodies` over as fast as the prefetch window
 * allows (deliveries in chunks between event-loop turns, more after each ack): the collector's own
 * capacity (parse, batch, SQLite writer thread, ack) without the broker's delivery rate, which on
 * a loaded machine is the slowest part.
 */
function inProcessBroker(bodies: Buffer[]): (url: string) => Promise<CollectorConnectionLike> {
  return async () => {
    let onMessage: ((m: CollectorDelivery | null) => void) | undefined;
    let prefetch = 1;
    let next = 0;
    let acked = 0;
    let scheduled = false;
    const pump = (): void => {
      scheduled = false;
      const until = Math.min(bodies.length, acked + prefetch);
      while (next < until) {
        const tag = ++next;
        onMessage!({ content: bodies[tag - 1]!, fields: { deliveryTag: tag, redelivered: false } });
      }
    };
    const schedule = (): void => {
      if (!scheduled) {
        scheduled = true;
        setImmediate(pump);
      }
    };
    const channel: CollectorChannelLike = {
      assertExchange: async () => ({}),
      assertQueue: async () => ({}),
      bindQueue: async () => ({}),
      prefetch: async (count: number) => void (prefetch = count),
      consume: async (_queue, handler) => {
        onMessage = handler;
        schedule();
        return { consumerTag: 'bench' };
      },
      cancel: async () => ({}),
      ack: (message, allUpTo) => {
        acked = allUpTo ? message.fields.deliveryTag : acked + 1;
        schedule();
      },
      sendToQueue: () => true,
      close: async () => {},
      on: () => channel,
    };
    const model: CollectorConnectionLike = {
      createChannel: async () => channel,
      close: async () => {},
      on: () => model,
    };
    return model;
  };
}

/** Baseline: the same rows, already encoded, by plain better-sqlite3 (WAL, prepared INSERT, BATCH rows per transaction, same indexes). */
function rawInsert(rows: unknown[][]): { wall: number; cpu: number } {
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(createTableSql('sqlite'));
  for (const sql of createIndexSql({ extra: true, columns: ['base_id'] })) db.exec(sql);
  const insert = db.prepare(
    `INSERT INTO data (${SQL_INSERT_COLUMNS.join(', ')}) VALUES (${SQL_INSERT_COLUMNS.map(() => '?').join(', ')})`,
  );
  const tx = db.transaction((from: number) => {
    for (let i = from; i < Math.min(from + BATCH, rows.length); i++) insert.run(rows[i]!);
  });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) tx.immediate(i);
  const wall = performance.now() - t0;
  const cpu = cpuMs(c0);
  db.close();
  return { wall, cpu };
}

/** Baseline: amqplib consuming the same messages with the same prefetch, one multiple-ack per BATCH, nothing else. */
async function rawConsume(queue: string): Promise<{ wall: number; cpu: number }> {
  const connection = await amqplib.connect(URL);
  const channel = await connection.createChannel();
  await channel.prefetch(BATCH * 4);
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await channel.consume(
    queue,
    (message: ConsumeMessage | null) => {
      if (message === null) return;
      received++;
      if (received % BATCH === 0 || received === N) channel.ack(message, true);
      if (received === N) done();
    },
    { noAck: false },
  );
  await finished;
  const wall = performance.now() - t0;
  const cpu = cpuMs(c0);
  await connection.close();
  return { wall, cpu };
}

const perS = (ms: number): string => `${Math.round(N / (ms / 1000)).toLocaleString('en-US')}/s`;

try {
  // why: only the message bodies stay alive while the collector runs; the rows and notifications
  // are dropped first, so garbage collection does not walk them (a real collector holds neither).
  let bodies: Buffer[] = [];
  let insert = { wall: 0, cpu: 0 };
  {
    const notes = notifications();
    bodies = notes.map((n) => encodeMessageBody(buildNotificationMessage(n, { publisherId: 'bench' })));
    insert = rawInsert(notes.map((n) => rowValues(notificationToRow(n, { host: 'bench' }))));
  }
  console.log(
    `osprofiler collect: ${N.toLocaleString('en-US')} notifications, RabbitMQ ${URL.replace(/:[^:@/]*@/, ':***@')} → SQLite\n`,
  );
  // median of three runs, each into a fresh file
  const runs: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < 3; r++) runs.push(await collectorRun(`in-process-${r}`, inProcessBroker(bodies)));
  const capacity = runs.sort((a, b) => a.wall - b.wall)[1]!;
  await fillQueue(bodies, rawQueue);
  const raw = await rawConsume(rawQueue);
  await fillQueue(bodies, queue);
  const collected = await collectorRun('rabbitmq', collectorConnect(await loadAmqplibConnect()));

  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
  row('baseline: raw better-sqlite3 INSERT, same rows', perS(insert.wall), `CPU ${perS(insert.cpu)}`);
  row(
    'collector, in-process source (parse, batch, store, ack)',
    perS(capacity.wall),
    `CPU ${perS(capacity.cpu)}; ${ratio(capacity.wall, insert.wall)} the raw insert's time (wall), ${ratio(capacity.cpu, insert.cpu)} (CPU)`,
  );
  row('baseline: raw amqplib consume + batch ack', perS(raw.wall), `CPU ${perS(raw.cpu)}`);
  row(
    'collector from RabbitMQ',
    perS(collected.wall),
    `CPU ${perS(collected.cpu)}; ${ratio(collected.wall, raw.wall)} the raw consume's time (wall)`,
  );
  const rate = N / (capacity.wall / 1000);
  row(
    'target: collector >= 20,000/s into SQLite',
    rate >= 20_000 ? 'met' : 'NOT MET',
    `${(rate / 20_000).toFixed(2)}x the target (in-process source)`,
  );
} finally {
  const connection = await amqplib.connect(URL);
  const channel = await connection.createChannel();
  await channel.deleteQueue(queue).catch(() => {});
  await channel.deleteQueue(rawQueue).catch(() => {});
  await channel.deleteExchange(exchange).catch(() => {});
  await connection.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
