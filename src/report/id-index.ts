// Trace id → point index for ReportBuilder: an open-addressing table for string ids, a Map for anything else.

const EMPTY = -1;

/**
 * Maps ids (Map semantics: SameValueZero) to non-negative integers. why: at 100k spans a JS Map
 * cost two chain walks per new point (a missed get, then set), each reading the stored key
 * strings scattered over the heap; here a new string id costs one hash over its characters and
 * one probe of a typed array, where the stored hashes sit next to the values.
 */
export class IdIndex {
  // slot k: hashes[k] (the full 32-bit hash), values[k] (EMPTY when free), keys[k]
  #hashes = new Int32Array(1024);
  #values = new Int32Array(1024).fill(EMPTY);
  #keys: (string | undefined)[] = new Array<string | undefined>(1024);
  #size = 0;
  #others: Map<unknown, number> | undefined;

  /** The value of `key`, or -1 when it has none. */
  get(key: unknown): number {
    if (typeof key !== 'string') return this.#others?.get(key) ?? -1;
    const mask = this.#values.length - 1;
    const hash = hashOf(key);
    for (let k = hash & mask; ; k = (k + 1) & mask) {
      const value = this.#values[k]!;
      if (value === EMPTY) return -1;
      if (this.#hashes[k] === hash && this.#keys[k] === key) return value;
    }
  }

  /** The value of `key` if it has one; otherwise gives it `value` (>= 0) and returns -1. */
  getOrAdd(key: unknown, value: number): number {
    if (typeof key !== 'string') {
      const others = (this.#others ??= new Map());
      const found = others.get(key);
      if (found !== undefined) return found;
      others.set(key, value);
      return -1;
    }
    const values = this.#values;
    const mask = values.length - 1;
    const hash = hashOf(key);
    let k = hash & mask;
    for (; values[k] !== EMPTY; k = (k + 1) & mask) {
      if (this.#hashes[k] === hash && this.#keys[k] === key) return values[k]!;
    }
    values[k] = value;
    this.#hashes[k] = hash;
    this.#keys[k] = key;
    // why: at most half full, so probe runs stay short.
    if (++this.#size * 2 > values.length) this.#grow();
    return -1;
  }

  #grow(): void {
    const hashes = this.#hashes;
    const values = this.#values;
    const keys = this.#keys;
    const size = values.length * 2;
    const mask = size - 1;
    this.#hashes = new Int32Array(size);
    this.#values = new Int32Array(size).fill(EMPTY);
    this.#keys = new Array<string | undefined>(size);
    for (let j = 0; j < values.length; j++) {
      if (values[j] === EMPTY) continue;
      let k = hashes[j]! & mask;
      while (this.#values[k] !== EMPTY) k = (k + 1) & mask;
      this.#hashes[k] = hashes[j]!;
      this.#values[k] = values[j]!;
      this.#keys[k] = keys[j];
    }
  }
}

/** FNV-1a over the UTF-16 code units, with a final mix so that the low bits depend on every unit. */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}
