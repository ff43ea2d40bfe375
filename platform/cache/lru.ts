// A small in-process LRU with per-entry expiry, in front of the shared cache: a warm key costs
// one Map lookup, no I/O. A Map iterates in insertion order, so re-inserting on every hit keeps
// the least recently used entry first, where eviction takes it.

export class LruCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new Error("LRU capacity must be an integer >= 0");
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The live value, or undefined when absent or expired (an expired entry is dropped). */
  get(key: string): { value: V } | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.#entries.set(key, entry);
    return entry;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (this.capacity === 0 || ttlMs <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.now() + ttlMs });
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}
