// Trace id → point index for ReportBuilder: an open-addressing table for string ids, a Map for anything else.

const EMPTY = -1;

/**
 * Numbers the ids it is given in first-seen order (0, 1, 2, …) and finds them again, with Map
 * semantics (SameValueZero). why: at 100k spans a JS Map cost two chain walks per new point
 * (a missed get, then set), each reading stored key strings scattered over the heap; here a new
 * string id costs one hash over its characters and one probe of a typed array that holds the
 * full hashes next to the numbers, so a key string is read only when its hash matches.
 */
export class IdIndex {
  // slot k: #slots[2k] the id's hash, #slots[2k + 1] its number (EMPTY when free)
  #slots = new Int32Array(2048).fill(EMPTY);
  /** Every id by its number. */
  readonly #ids: unknown[] = [];
  #strings = 0;
  #others: Map<unknown, number> | undefined;

  /** How many ids were added. */
  get size(): number {
    return this.#ids.length;
  }

  /** The number of `id`, or -1 when it was never added. */
  get(id: unknown): number {
    if (typeof id !== 'string') return this.#others?.get(id) ?? -1;
    const slots = this.#slots;
    const mask = slots.length - 2;
    const hash = hashOf(id);
    for (let k = (hash << 1) & mask; ; k = (k + 2) & mask) {
      const n = slots[k + 1]!;
      if (n === EMPTY) return -1;
      if (slots[k] === hash && this.#ids[n] === id) return n;
    }
  }

  /** The number of `id`; -1 when it had none, and then it gets the next one ({@link size} before the call). */
  getOrAdd(id: unknown): number {
    const ids = this.#ids;
    if (typeof id !== 'string') {
      const others = (this.#others ??= new Map());
      const found = others.get(id);
      if (found !== undefined) return found;
      others.set(id, ids.length);
      ids.push(id);
      return -1;
    }
    const slots = this.#slots;
    const mask = slots.length - 2;
    const hash = hashOf(id);
    let k = (hash << 1) & mask;
    for (let n = slots[k + 1]!; n !== EMPTY; k = (k + 2) & mask, n = slots[k + 1]!) {
      if (slots[k] === hash && ids[n] === id) return n;
    }
    slots[k] = hash;
    slots[k + 1] = ids.length;
    ids.push(id);
    // why: at most half full, so probe runs stay short.
    if (++this.#strings * 4 > slots.length) this.#grow();
    return -1;
  }

  #grow(): void {
    const old = this.#slots;
    const slots = new Int32Array(old.length * 2).fill(EMPTY);
    const mask = slots.length - 2;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j + 1] === EMPTY) continue;
      let k = (old[j]! << 1) & mask;
      while (slots[k + 1] !== EMPTY) k = (k + 2) & mask;
      slots[k] = old[j]!;
      slots[k + 1] = old[j + 1]!;
    }
    this.#slots = slots;
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
