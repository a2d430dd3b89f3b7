// `osprofiler collect`: runs the collector until SIGTERM/SIGINT, printing its counters periodically and on exit.
import { Collector } from '../../collector/collector.js';
import { collectorConnect } from '../../collector/amqp-source.js';
import { formatStats } from '../../collector/stats.js';
import { createDriver, type Driver } from '../../drivers/driver.js';
import { loadAmqplibConnect } from '../../drivers/messaging/client.js';
import {
  amqpUrlFromTransportUrl,
  DEFAULT_CONTROL_EXCHANGE,
  DEFAULT_TOPIC,
  DEFAULT_TRANSPORT_URL,
  redactUrl,
} from '../../drivers/messaging/message.js';
import { SQL_SCHEMES } from '../../drivers/sql/url.js';
import { parseCommand } from '../args.js';
import { COLLECT_HELP, COLLECT_USAGE } from '../help.js';
import { CliError, EXIT_FAILURE, messageOf, usageError, type CliIo } from '../io.js';
import { chooseStore, storeFailure, storeScheme } from '../store.js';

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  'connection-string': { type: 'string' },
  'transport-url': { type: 'string' },
  'control-exchange': { type: 'string' },
  topic: { type: 'string' },
  'durable-queues': { type: 'boolean' },
  'batch-size': { type: 'string' },
  'flush-interval': { type: 'string' },
  prefetch: { type: 'string' },
  'dead-letter-queue': { type: 'string' },
  'stats-interval': { type: 'string' },
} as const;

// why: these stores keep the writing host in a column of its own (Python's SQL layout).
const HOST_COLUMN_SCHEMES = new Set<string>(['sqlite', ...SQL_SCHEMES]);

function number(
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  check: (n: number) => boolean,
  what: string,
): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(n) || !check(n))
    throw usageError(COLLECT_USAGE, `argument --${name}: invalid ${what}: '${String(text)}'`);
  return n;
}

/**
 * `osprofiler collect`: consumes the profiler notifications from RabbitMQ and writes them into a
 * store until SIGTERM or SIGINT (or `stop` aborts), then flushes and returns 0. `stop` lets tests
 * and embedders end it without a signal.
 * @since 0.1.0
 */
export async function collect(argv: readonly string[], io: CliIo, stop?: AbortSignal): Promise<number> {
  const parsed = parseCommand(
    argv,
    { options: OPTIONS, positionals: false, usage: COLLECT_USAGE, help: COLLECT_HELP },
    io,
  );
  if (parsed === undefined) return 0;
  const { values } = parsed;
  const batchSize = number(values, 'batch-size', 2000, (n) => Number.isInteger(n) && n >= 1, 'batch size');
  const flushMs = Math.round(number(values, 'flush-interval', 0.2, (n) => n >= 0, 'number of seconds') * 1000);
  const statsMs = Math.round(number(values, 'stats-interval', 60, (n) => n >= 0, 'number of seconds') * 1000);
  const prefetch = number(
    values,
    'prefetch',
    Math.min(65_535, batchSize * 4),
    (n) => Number.isInteger(n) && n >= 1 && n <= 65_535,
    'prefetch count (1-65535)',
  );
  // why: an environment variable keeps the broker password out of the process list (`ps`).
  const fromEnv = io.env.OSPROFILER_TRANSPORT_URL;
  const transportUrl =
    values['transport-url'] ?? (fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : DEFAULT_TRANSPORT_URL);
  let amqpUrl: string;
  try {
    amqpUrl = amqpUrlFromTransportUrl(transportUrl);
  } catch (error) {
    throw new CliError(EXIT_FAILURE, `osprofiler: ${messageOf(error)}\n`);
  }

  const choice = chooseStore(values['connection-string'], io);
  const scheme = storeScheme(choice.connectionString);
  if (scheme === 'messaging') {
    throw new CliError(
      EXIT_FAILURE,
      'osprofiler: collect reads the messaging queue; give it a store to write to with --connection-string ' +
        '(default: the SQLite store), not messaging://.\n',
    );
  }
  let connect;
  try {
    connect = await loadAmqplibConnect();
  } catch (error) {
    throw new CliError(EXIT_FAILURE, `osprofiler: ${messageOf(error)}\n`);
  }
  let store: Driver;
  try {
    store = await createDriver(choice.connectionString, {});
  } catch (error) {
    throw storeFailure(choice, error);
  }

  const say = (line: string): void => io.stderr(`osprofiler collect: ${line}\n`);
  const controlExchange = values['control-exchange'] || DEFAULT_CONTROL_EXCHANGE;
  const topic = values.topic || DEFAULT_TOPIC;
  const collector = new Collector({
    store,
    connect: collectorConnect(connect),
    transportUrl,
    controlExchange,
    topic,
    durableQueues: values['durable-queues'] === true,
    batchSize,
    flushIntervalMs: flushMs,
    prefetch,
    deadLetterQueue: values['dead-letter-queue'] ?? '',
    hostColumn: HOST_COLUMN_SCHEMES.has(scheme),
    log: say,
  });
  say(`RabbitMQ ${redactUrl(amqpUrl)} (exchange ${controlExchange}, queue ${topic}.info) -> ${choice.description}`);

  let statsTimer: NodeJS.Timeout | undefined;
  if (statsMs > 0) statsTimer = setInterval(() => say(formatStats(collector.stats())), statsMs);

  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    onSignal = resolve;
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    if (stop !== undefined) {
      if (stop.aborted) resolve('abort');
      else stop.addEventListener('abort', () => resolve('abort'), { once: true });
    }
  });
  collector.start();
  const why = await stopped;
  process.removeListener('SIGTERM', onSignal);
  process.removeListener('SIGINT', onSignal);
  clearInterval(statsTimer);
  say(`${why === 'abort' ? 'stopping' : `${why}: stopping`}; writing what was received`);
  // why: a second signal while flushing means "now": leave the rest unacknowledged for next time.
  const force = (): void => {
    say('second signal: exiting without waiting (unacknowledged messages stay queued)');
    process.exit(EXIT_FAILURE);
  };
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  try {
    const final = await collector.stop();
    say(`stopped: ${formatStats(final)}`);
  } finally {
    process.removeListener('SIGTERM', force);
    process.removeListener('SIGINT', force);
  }
  return 0;
}
