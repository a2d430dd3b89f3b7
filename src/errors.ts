// Error classes with stable codes. Thrown only from configuration and CLI paths, never from tracing.

const kBrand = Symbol.for('osprofiler.error');

/** Base class of every error this package throws; `code` is stable across versions. @since 0.1.0 */
export class OsprofilerError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    (this as unknown as Record<symbol, boolean>)[kBrand] = true;
  }

  // why: a brand instead of the prototype chain, so errors from a second installed copy of the
  // package still pass `instanceof OsprofilerError`.
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== OsprofilerError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kBrand] === true;
  }
}

/** Invalid configuration: the message names the option and the value. */
export class ConfigError extends OsprofilerError {
  constructor(message: string) {
    super('OSP_ERR_CONFIG', message);
  }
}

/** A connection string that names no known scheme or cannot be parsed. */
export class BadConnectionStringError extends OsprofilerError {
  constructor(message: string) {
    super('OSP_ERR_BAD_CONNECTION_STRING', message);
  }
}

/** A driver's client library is not installed: the message names the npm package. */
export class DriverMissingError extends OsprofilerError {
  constructor(scheme: string, pkg: string, cause?: unknown) {
    super(
      'OSP_ERR_DRIVER_MISSING',
      `The ${scheme}:// driver needs the npm package "${pkg}": install it with \`npm install ${pkg}\`.`,
      { cause },
    );
  }
}

/** The store cannot be reached or answered with an error. */
export class DriverUnavailableError extends OsprofilerError {
  constructor(message: string, cause?: unknown) {
    super('OSP_ERR_DRIVER_UNAVAILABLE', message, { cause });
  }
}

/**
 * What was opened for reading is not a trace store: a file of another application, an empty file,
 * or one that is not a database at all. Readers say so in one line and leave the file untouched.
 */
export class NotATraceStoreError extends OsprofilerError {
  constructor(message: string, cause?: unknown) {
    super('OSP_ERR_NOT_A_TRACE_STORE', message, { cause });
  }
}

/** A report that cannot be rendered in the asked form (e.g. indented JSON beyond JavaScript's largest string). */
export class ReportTooLargeError extends OsprofilerError {
  constructor(message: string) {
    super('OSP_ERR_REPORT_TOO_LARGE', message);
  }
}

/** A driver that cannot do what was asked (e.g. read traces back from an OTLP collector). */
export class NotSupportedError extends OsprofilerError {
  constructor(message: string) {
    super('OSP_ERR_NOT_SUPPORTED', message);
  }
}

/** No trace with that id in the store. */
export class TraceNotFoundError extends OsprofilerError {
  constructor(message: string) {
    super('OSP_ERR_TRACE_NOT_FOUND', message);
  }
}
