// The host name written into every notification's info (read once, as Python reads it per profiler).
import { hostname } from 'node:os';

let cached: string | undefined;

/** This machine's host name, cached after the first read. */
export function getHostname(): string {
  return (cached ??= hostname());
}

/** Overrides the host name (tests use the fixtures' `fixture-host`); `undefined` re-reads it. */
export function setHostname(name: string | undefined): void {
  cached = name;
}
