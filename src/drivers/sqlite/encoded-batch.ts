// A batch of `data` rows encoded on the main thread as one text plus value lengths, and read back into INSERT values.
import { isSharedInfo, type Notification } from '../../core/payload.js';
import { pythonJsonDumpsAsStringWithout } from '../../propagation/python-json.js';
import { SQL_INSERT_COLUMNS } from '../sql/layout.js';
import { appendDataColumn, TextPieces } from './data-column.js';

type SqlInsertColumn = (typeof SQL_INSERT_COLUMNS)[number];

/**
 * The rows of one batch as the writer receives them.
 * why: a structured clone of thousands of small strings costs the event loop and the writer
 * thread several times what one flat text costs (one copy each side); the writer takes its
 * values back as slices of that text, which V8 makes without copying long ones.
 */
export interface EncodedBatch {
  /** Every string value of the batch, one after the other, rows in order, values in ROW_COLUMNS order. */
  text: string;
  /**
   * For each value in order (ROW_COLUMNS of each row): its length in `text`, or
   * {@link NULL_VALUE}, {@link OTHER_VALUE}, {@link SAME_VALUE}.
   */
  lengths: Int32Array;
  /** The values that are neither strings nor null (numbers, bigints…), in order. */
  others: unknown[];
  /** One entry per INSERT, in order: its number of rows. */
  inserts: number[];
  /**
   * One entry per INSERT: a bit (1 << position in ROW_COLUMNS) for each column whose value is
   * the same in all its rows, bound once as a named parameter.
   */
  constants: number[];
}

/** Project, service and host written where a notification carries none (Python's driver defaults). */
export interface StoreDefaults {
  project: unknown;
  host: unknown;
  service: unknown;
}

/** A value that is SQL NULL. */
export const NULL_VALUE = -1;
/** A value taken from {@link EncodedBatch.others}. */
export const OTHER_VALUE = -2;
/**
 * The same string (or null) as the previous row's in this column. why: rows share their store's
 * project, host and service, a trace's rows its base_id, siblings their parent_id: each is sent
 * once per run of equal values, and bound once per INSERT when all its rows share it.
 */
export const SAME_VALUE = -3;

/**
 * The columns of a row in the order its values are encoded: `data` first, because its text is
 * the one part that can fail (and then nothing of the row is written). An INSERT names them in
 * this order; the stored row is the same whatever the order.
 */
export const ROW_COLUMNS: readonly SqlInsertColumn[] = ['data', ...SQL_INSERT_COLUMNS.filter((c) => c !== 'data')];
const VALUES_PER_ROW = ROW_COLUMNS.length;
/** Every column but `data` (position 0) may be a constant of an INSERT. */
const ALL_CONSTANT = ((1 << VALUES_PER_ROW) - 1) & ~1;
/**
 * why: one INSERT of many rows binds and steps once instead of once per row; beyond ~50 rows the
 * gain flattens out, and 125 rows split the store's 250-row batches into two equal statements,
 * far below SQLite's bound-parameter limit.
 */
export const ROWS_PER_INSERT = 125;

/** The keys Python's SQL driver pops into columns; what is left goes to `data`. */
const COLUMN_KEYS: ReadonlySet<string> = new Set(ROW_COLUMNS.filter((c) => c !== 'data'));
const NO_KEYS: ReadonlySet<string> = new Set();

/**
 * Encodes notifications into {@link EncodedBatch}es: Python's row for each (the `data` column
 * double-encoded), values appended to one text.
 */
export class BatchEncoder {
  readonly #defaults: StoreDefaults;
  readonly #text = new TextPieces();
  #lengths = new Int32Array(VALUES_PER_ROW * 256);
  #values = 0;
  #others: unknown[] = [];
  #inserts: number[] = [];
  #constants: number[] = [];
  /** The previous row's values, by position in ROW_COLUMNS (undefined: not comparable). */
  readonly #previous = new Array<unknown>(VALUES_PER_ROW);
  /** Rows in the INSERT being filled. */
  #rows = 0;
  /** Columns equal in every row of the INSERT being filled so far. */
  #constant = ALL_CONSTANT;
  /** Columns equal to the previous row's in the row being added. */
  #same = 0;
  /** The last shared `{host}` info seen and its row's `data` text. */
  #sharedInfo: unknown;
  #sharedData = '';

  constructor(defaults: StoreDefaults) {
    this.#defaults = defaults;
  }

  /**
   * Appends the row of one notification (Python's SQL driver layout, see drivers/sql/layout.ts).
   * Throws only for info JSON cannot hold (circular objects), and then appends nothing.
   */
  add(payload: Notification): void {
    // why: every column read before anything is appended; the data text (which may throw) first.
    const timestamp = column(payload, 'timestamp', null);
    const baseId = column(payload, 'base_id', null);
    const parentId = column(payload, 'parent_id', null);
    const traceId = column(payload, 'trace_id', null);
    const project = column(payload, 'project', this.#defaults.project);
    const host = column(payload, 'host', this.#defaults.host);
    const service = column(payload, 'service', this.#defaults.service);
    const name = column(payload, 'name', null);
    if (this.#rows === ROWS_PER_INSERT) this.#endInsert();
    if (this.#values + VALUES_PER_ROW > this.#lengths.length) this.#grow();
    const start = this.#text.length;
    this.#appendData(payload);
    this.#lengths[this.#values++] = this.#text.length - start;
    this.#same = 0;
    this.#value(timestamp, 1);
    this.#value(baseId, 2);
    this.#value(parentId, 3);
    this.#value(traceId, 4);
    this.#value(project, 5);
    this.#value(host, 6);
    this.#value(service, 7);
    this.#value(name, 8);
    if (this.#rows > 0) this.#constant &= this.#same;
    this.#rows++;
  }

  /** The rows added since the last call, or undefined when there are none. */
  take(): EncodedBatch | undefined {
    if (this.#rows > 0) this.#endInsert();
    if (this.#inserts.length === 0) return undefined;
    const batch: EncodedBatch = {
      text: this.#text.take(),
      lengths: this.#lengths.slice(0, this.#values),
      others: this.#others,
      inserts: this.#inserts,
      constants: this.#constants,
    };
    this.#values = 0;
    this.#others = [];
    this.#inserts = [];
    this.#constants = [];
    this.#previous.fill(undefined);
    return batch;
  }

  #endInsert(): void {
    this.#inserts.push(this.#rows);
    this.#constants.push(this.#constant);
    this.#rows = 0;
    this.#constant = ALL_CONSTANT;
  }

  /**
   * The `data` column: Python's `json.dumps` of the notification minus the column keys, as a
   * JSON string. why: most stops carry only the profiler's shared, frozen `{host}` info, so
   * their text is the same each time and is made once.
   */
  #appendData(payload: Notification): void {
    const info = payload.info;
    if (isSharedInfo(info) && onlyInfoLeft(payload)) {
      if (info !== this.#sharedInfo) {
        this.#sharedData = pythonJsonDumpsAsStringWithout({ info }, NO_KEYS);
        this.#sharedInfo = info;
      }
      this.#text.push(this.#sharedData);
      return;
    }
    appendDataColumn(this.#text, payload, COLUMN_KEYS);
  }

  #grow(): void {
    const grown = new Int32Array(this.#lengths.length * 2);
    grown.set(this.#lengths);
    this.#lengths = grown;
  }

  /** Appends the value of the column at `column` in ROW_COLUMNS. */
  #value(value: unknown, column: number): void {
    if (typeof value === 'string' || value === null) {
      if (value === this.#previous[column]) {
        this.#same |= 1 << column;
        this.#lengths[this.#values++] = SAME_VALUE;
        return;
      }
      this.#previous[column] = value;
      if (value === null) {
        this.#lengths[this.#values++] = NULL_VALUE;
      } else {
        this.#text.push(value);
        this.#lengths[this.#values++] = value.length;
      }
    } else {
      this.#previous[column] = undefined;
      this.#others.push(value);
      this.#lengths[this.#values++] = OTHER_VALUE;
    }
  }
}

/** Python's `dict.pop(key, fallback)` reading: a present key gives its value (null for undefined). */
function column(payload: Notification, key: string, fallback: unknown): unknown {
  return Object.hasOwn(payload, key) ? (payload[key] ?? null) : fallback;
}

/** True when `info` is the one enumerable key of `payload` that is not a column. */
function onlyInfoLeft(payload: Notification): boolean {
  let info = false;
  for (const key in payload) {
    if (key === 'info') info = Object.hasOwn(payload, key);
    else if (!COLUMN_KEYS.has(key)) return false;
  }
  return info;
}

/** The values of one INSERT of a batch. */
export interface InsertValues {
  rows: number;
  /** Its {@link EncodedBatch.constants} bits. */
  constants: number;
  /** The values of its other columns, row after row (ROW_COLUMNS order). */
  values: unknown[];
  /** The first row's values by column name (those of the constant columns are the INSERT's). */
  named: Record<SqlInsertColumn, unknown>;
}

/**
 * Calls `insert` once per INSERT of `batch`. `values` gives the array to fill for a given length
 * (reused by the caller between calls); `named` is one object, refilled for each INSERT.
 */
export function forEachInsert(
  batch: EncodedBatch,
  values: (length: number) => unknown[],
  insert: (values: InsertValues) => void,
): void {
  const { text, lengths, others } = batch;
  const previous = new Array<unknown>(VALUES_PER_ROW);
  const named = {} as InsertValues['named'];
  let at = 0;
  let next = 0;
  let other = 0;
  for (let n = 0; n < batch.inserts.length; n++) {
    const rows = batch.inserts[n]!;
    const constants = batch.constants[n]!;
    const out = values(rows * (VALUES_PER_ROW - bitCount(constants)));
    let i = 0;
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < VALUES_PER_ROW; column++) {
        const length = lengths[next++]!;
        let value: unknown;
        if (length >= 0) {
          value = text.slice(at, at + length);
          at += length;
        } else if (length === SAME_VALUE) {
          value = previous[column];
        } else {
          value = length === NULL_VALUE ? null : others[other++];
        }
        // why: the data column (0) is never SAME_VALUE, so its slices are not kept
        if (column !== 0) previous[column] = value;
        if (row === 0) named[ROW_COLUMNS[column]!] = value;
        if ((constants & (1 << column)) === 0) out[i++] = value;
      }
    }
    insert({ rows, constants, values: out, named });
  }
}

function bitCount(bits: number): number {
  let count = 0;
  for (let b = bits; b !== 0; b &= b - 1) count++;
  return count;
}
