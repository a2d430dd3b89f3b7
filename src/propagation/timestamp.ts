// Notification timestamps: writes them (microsecond UTC, Python's `%Y-%m-%dT%H:%M:%S.%f`, six digits, no zone)
// and reads stored ones exactly as Python's strptime does, with the report's ms deltas.

// why: Date has only milliseconds; timeOrigin + performance.now() gives microseconds from one
// monotonic base, so timestamps within a process never go backwards.
const originUs = Math.round(performance.timeOrigin * 1000);

let cachedSecond = -1;
let cachedPrefix = '';
let cachedMilli = -1;
let cachedMilliPrefix = '';

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

// why: "000".."999"; a timestamp is the cached text up to its millisecond plus one of these, a
// single cons-string allocation (the former pad of the microseconds made three strings).
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => pad(i, 3));

function secondPrefix(second: number): string {
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    cachedPrefix =
      `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T` +
      `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.`;
    cachedSecond = second;
  }
  return cachedPrefix;
}

/** Formats microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffff` (UTC). */
export function formatTimestamp(epochUs: number): string {
  const milli = Math.floor(epochUs / 1000);
  if (milli !== cachedMilli) {
    const second = Math.floor(milli / 1000);
    cachedMilliPrefix = secondPrefix(second) + THREE_DIGITS[milli - second * 1000]!;
    cachedMilli = milli;
  }
  return cachedMilliPrefix + THREE_DIGITS[epochUs - milli * 1000]!;
}

/** Microseconds since the Unix epoch, from the monotonic clock. */
export function nowUs(): number {
  return originUs + Math.floor(performance.now() * 1000);
}

let clock: () => string = () => formatTimestamp(nowUs());

/** The current UTC time as a notification timestamp. @since 0.1.0 */
export function utcTimestamp(): string {
  return clock();
}

/** Replaces the clock (tests feed the fixtures' `clock_reads`); `undefined` restores the real one. */
export function setClock(next: (() => string) | undefined): void {
  clock = next ?? (() => formatTimestamp(nowUs()));
}

/** A parsed timestamp: whole seconds since the Unix epoch (naive time read as UTC) plus 0–999999 µs. */
export interface TimestampParts {
  seconds: number;
  micros: number;
}

// why: this is the regex CPython's _strptime builds for the format, field by field, with its
// alternation order kept (JS and Python backtrack alike, so the same prefix matches). `\d` in a
// Python str pattern is any Unicode decimal digit (int() converts them), hence \p{Nd}; `%f` is
// ASCII-only [0-9]; the pattern is compiled IGNORECASE, so a lower-case `t` separator is accepted;
// `%d` also accepts a space-padded day (" 8"). No `$`: Python matches a prefix and then rejects
// leftovers ("unconverted data remains"), which we check by length.
function strptimeRegExp(digit: string, flags: string): RegExp {
  const d = digit;
  return new RegExp(
    `^(${d}${d}${d}${d})` +
      `-(1[0-2]|0[1-9]|[1-9])` +
      `-(3[01]|[12]${d}|0[1-9]|[1-9]| [1-9])` +
      `[Tt](2[0-3]|[01]${d}|${d})` +
      `:([0-5]${d}|${d})` +
      `:(6[01]|[0-5]${d}|${d})` +
      `\\.([0-9]{1,6})`,
    flags,
  );
}
// why: a full match of the ASCII variant means the input is pure ASCII, where both variants
// behave identically; only other inputs pay for the slower Unicode-property regex.
const STRPTIME_ASCII_RE = strptimeRegExp('[0-9]', '');
const STRPTIME_RE = strptimeRegExp('\\p{Nd}', 'u');
const IS_ND = /^\p{Nd}$/u;

// why: Unicode lays every decimal digit set out as runs of ten consecutive code points starting
// at zero, so a digit's value is its distance from the start of its run, modulo ten.
function digitValue(cp: number): number {
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  let start = cp;
  while (start > 0 && IS_ND.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

function toInt(digits: string): number {
  let value = 0;
  for (const ch of digits) value = value * 10 + digitValue(ch.codePointAt(0) as number);
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// 400 Gregorian years are exactly 146097 days.
const MS_PER_400_YEARS = 146097 * 86_400_000;

/**
 * Parses a stored timestamp into epoch seconds + microseconds, accepting exactly what Python's
 * `datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%f")` accepts: 1–6 fraction digits (right-padded,
 * `.7` = 700000 µs), unpadded fields (`2016-4-8T7:2:1.5`), seconds 00–59, years 0001–9999.
 * Returns `undefined` for everything Python rejects (no fraction, 7+ digits, `Z`/offset suffix,
 * a space for `T`, second 60, 30 February, non-strings). Never throws.
 * @since 0.1.0
 */
export function parseTimestampParts(value: unknown): TimestampParts | undefined {
  if (typeof value !== 'string') return undefined;
  let m = STRPTIME_ASCII_RE.exec(value);
  // why: Number() reads ASCII digits (and ignores the pad space of a day such as " 8").
  let toNumber: (digits: string) => number = Number;
  if (m === null || m[0].length !== value.length) {
    m = STRPTIME_RE.exec(value);
    if (m === null || m[0].length !== value.length) return undefined;
    toNumber = toInt;
  }
  const year = toNumber(m[1]);
  const month = toNumber(m[2]);
  const day = toNumber(m[3].trimStart());
  const hour = toNumber(m[4]);
  const minute = toNumber(m[5]);
  const second = toNumber(m[6]);
  if (year < 1 || day > daysInMonth(year, month) || second > 59) return undefined;
  const micros = Number(m[7].padEnd(6, '0'));
  // why: Date.UTC maps years 0–99 to 1900–1999; shift such years by one 400-year cycle and back.
  const shift = year < 100 ? 400 : 0;
  const ms = Date.UTC(year + shift, month - 1, day, hour, minute, second) - (shift ? MS_PER_400_YEARS : 0);
  return { seconds: ms / 1000, micros };
}

// why: 10^(6 - digits) right-pads a 1–6 digit fraction to microseconds (".7" = 700000).
const FRACTION_SCALE = [0, 100_000, 10_000, 1_000, 100, 10, 1];

/**
 * A reusable {@link parseTimestampParts} for long runs of timestamps (a report's 200k records):
 * it remembers the date-time part before the `.` of the last accepted value and its epoch
 * seconds, so a value sharing it only has its 1–6 ASCII fraction digits read. Same acceptance
 * and results as parseTimestampParts; results land in {@link seconds} / {@link micros} (no
 * object per call). Never throws.
 * @since 0.1.0
 */
export class TimestampReader {
  /** Epoch seconds of the last value {@link read} accepted. */
  seconds = 0;
  /** Microseconds (0–999999) of the last value {@link read} accepted. */
  micros = 0;
  #prefix = '';
  #prefixSeconds = 0;

  /** Parses `value`; true (and sets seconds/micros) when Python's strptime would accept it. */
  read(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    const prefix = this.#prefix;
    const dot = prefix.length;
    const digits = value.length - dot - 1;
    // why: the strptime pattern's date-time part cannot contain a ".", so the first "." ends it
    // and the same text before it always parses to the same seconds, whatever the fraction.
    if (dot > 0 && digits >= 1 && digits <= 6 && value.charCodeAt(dot) === 46 && value.startsWith(prefix)) {
      let micros = 0;
      let i = dot + 1;
      for (; i < value.length; i++) {
        const d = value.charCodeAt(i) - 48;
        if (d < 0 || d > 9) break;
        micros = micros * 10 + d;
      }
      if (i === value.length) {
        this.seconds = this.#prefixSeconds;
        this.micros = micros * FRACTION_SCALE[digits];
        return true;
      }
    }
    const parts = parseTimestampParts(value);
    if (parts === undefined) return false;
    this.seconds = parts.seconds;
    this.micros = parts.micros;
    this.#prefix = value.slice(0, value.indexOf('.'));
    this.#prefixSeconds = parts.seconds;
    return true;
  }
}

/**
 * Parses a stored timestamp (see {@link parseTimestampParts}) into integer microseconds since
 * the epoch, or `undefined` where Python rejects it. Exact for years ~1685–2255 (±2^53 µs);
 * the report builder uses the parts form, which is exact for every year.
 * @since 0.1.0
 */
export function parseTimestamp(value: unknown): number | undefined {
  const parts = parseTimestampParts(value);
  return parts === undefined ? undefined : parts.seconds * 1_000_000 + parts.micros;
}

/** Orders two parsed timestamps: negative, zero or positive like a sort comparator. */
export function compareTimestamps(a: TimestampParts, b: TimestampParts): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.micros - b.micros;
}

/**
 * Milliseconds from `from` to `to`, computed as Python's report code does with a timedelta:
 * `int((microseconds + (seconds + days * 86400) * 1e6) / 1000.0)` — the same IEEE double
 * operations, truncated toward zero, so the result matches Python for any range.
 * @since 0.1.0
 */
export function msBetween(from: TimestampParts, to: TimestampParts): number {
  return msBetweenParts(from.seconds, from.micros, to.seconds, to.micros);
}

/** {@link msBetween} on epoch seconds + microseconds given as numbers (no objects). */
export function msBetweenParts(fromSeconds: number, fromMicros: number, toSeconds: number, toMicros: number): number {
  let seconds = toSeconds - fromSeconds;
  let micros = toMicros - fromMicros;
  // why: timedelta normalises to 0 <= microseconds < 1e6 (days/seconds absorb the sign); Python
  // then sums `seconds + days * 86400` as an exact int, which is `seconds` here.
  if (micros < 0) {
    micros += 1_000_000;
    seconds -= 1;
  }
  // `+ 0` turns a -0 from truncating a small negative value into 0, as Python's int() does.
  return Math.trunc((micros + seconds * 1e6) / 1000) + 0;
}
