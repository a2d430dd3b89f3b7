// Trace and span identifiers: uuid4 generation and the 64/128-bit integer forms used by OTLP/Jaeger.
import { randomUuid4 } from './random-uuid.js';

let generator: () => string = randomUuid4;

/** A new random uuid4, lower-case and hyphenated. @since 0.1.0 */
export function uuid4(): string {
  return generator();
}

/**
 * Replaces the uuid source (tests feed the fixtures' `ids_generated`); `undefined` restores
 * the default (randomUuid4: crypto random bytes, the format of crypto.randomUUID). Not part of
 * the public API.
 */
export function setUuidGenerator(next: (() => string) | undefined): void {
  generator = next ?? randomUuid4;
}

const UUID_HEX = /^[0-9a-f]{32}$/;
const MASK_64 = (1n << 64n) - 1n;

/**
 * The 32 hex digits of a uuid in any form Python's uuid.UUID accepts (any case, with or without
 * hyphens, braces or a `urn:uuid:` prefix), or undefined when it is not a uuid.
 */
export function uuidHex(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let text = value.trim().toLowerCase();
  if (text.startsWith('urn:')) text = text.slice(4);
  if (text.startsWith('uuid:')) text = text.slice(5);
  text = text.replace(/^\{+|\}+$/g, '').replace(/-/g, '');
  return UUID_HEX.test(text) ? text : undefined;
}

/**
 * The canonical lower-case hyphenated form of a uuid in any form {@link uuidHex} accepts (stored
 * ids are written so), or undefined when it is not a uuid.
 */
export function canonicalUuid(value: unknown): string | undefined {
  const hex = uuidHex(value);
  return hex === undefined
    ? undefined
    : `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** True when the value is a string uuid.UUID would accept. */
export function isUuidLike(value: unknown): value is string {
  return uuidHex(value) !== undefined;
}

/** The full 128-bit integer of a uuid (OTLP trace id); a random one for invalid input, as Python. */
export function uuidToInt128(value: unknown): bigint {
  const hex = uuidHex(value) ?? uuidHex(uuid4())!;
  return BigInt('0x' + hex);
}

/**
 * The low 64 bits of a uuid (Python's `shorten_id`). Integers (number or bigint) are masked to
 * 64 bits; anything that is not a uuid yields the id of a fresh random uuid, never an error.
 * @since 0.1.0
 */
export function shortenId(value: unknown): bigint {
  if (typeof value === 'bigint') return value & MASK_64;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value) & MASK_64;
  const hex = uuidHex(value) ?? uuidHex(uuid4())!;
  return BigInt('0x' + hex.slice(16));
}

/** `shortenId` as lower-case hex without zero padding (Python's `get_shorten_id`). */
export function getShortenId(value: unknown): string {
  return shortenId(value).toString(16);
}

/** `shortenId` as 16 zero-padded hex digits (the OTLP/Jaeger span id). */
export function shortenIdHex16(value: unknown): string {
  return shortenId(value).toString(16).padStart(16, '0');
}
