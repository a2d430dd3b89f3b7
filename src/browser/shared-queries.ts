// Runs the trace browser's expensive store queries one at a time, shares and briefly caches their results.

/** Thrown when too many different queries are already waiting (the browser answers 503). */
export class BusyError extends Error {
  constructor(waiting: number) {
    super(`the trace browser is busy (${waiting} different list queries waiting); try again in a moment`);
  }
}

/** Options of {@link SharedQueries}. */
export interface SharedQueriesOptions {
  /** How long a result is reused for the same key, in ms (default 1000). */
  cacheMs?: number;
  /** How many results are kept at most (default 8). */
  maxCached?: number;
  /** How many different queries may wait for their turn before new ones are refused (default 32). */
  maxWaiting?: number;
}

interface Cached<T> {
  value: T;
  at: number;
}

/**
 * One runner per browser. why: a store query such as the trace list's `GROUP BY` runs synchronously
 * on the event loop (~40 ms over 10k traces with better-sqlite3); 50 concurrent list requests used
 * to run 50 of them back to back and made every other request wait 14–20 s. Here identical
 * requests share one run (and its result for `cacheMs`), different ones wait their turn, and
 * each run starts from a fresh event-loop turn so requests that need no such query are answered
 * in between. Memory stays bounded: at most `maxCached` results and `maxWaiting` queued keys.
 */
export class SharedQueries<T> {
  readonly #cacheMs: number;
  readonly #maxCached: number;
  readonly #maxWaiting: number;
  readonly #cache = new Map<string, Cached<T>>();
  /** Runs started or waiting, by key (a second request for the key joins the first). */
  readonly #inFlight = new Map<string, Promise<T>>();
  /** The tail of the one-at-a-time chain. */
  #tail: Promise<unknown> = Promise.resolve();
  #waiting = 0;

  constructor(options: SharedQueriesOptions = {}) {
    this.#cacheMs = options.cacheMs ?? 1000;
    this.#maxCached = Math.max(1, options.maxCached ?? 8);
    this.#maxWaiting = Math.max(1, options.maxWaiting ?? 256);
  }

  /** The result for `key`: cached, joined from a run in flight, or from `run()` once it is its turn. */
  run(key: string, run: () => Promise<T>): Promise<T> {
    const cached = this.#cache.get(key);
    if (cached !== undefined && Date.now() - cached.at <= this.#cacheMs) return Promise.resolve(cached.value);
    const joined = this.#inFlight.get(key);
    if (joined !== undefined) return joined;
    if (this.#waiting >= this.#maxWaiting) return Promise.reject(new BusyError(this.#waiting));
    this.#waiting++;
    const result = this.#tail.then(async () => {
      // why: a macrotask boundary lets the event loop read and answer other requests first.
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.#waiting--;
      const value = await run();
      this.#remember(key, value);
      return value;
    });
    const settled = result.finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, settled);
    this.#tail = settled.catch(() => {});
    return settled;
  }

  #remember(key: string, value: T): void {
    this.#cache.delete(key);
    this.#cache.set(key, { value, at: Date.now() });
    // why: Map keeps insertion order, so the first key is the oldest result.
    while (this.#cache.size > this.#maxCached) this.#cache.delete(this.#cache.keys().next().value!);
  }
}
