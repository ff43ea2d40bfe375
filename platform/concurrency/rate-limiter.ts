// A sliding-log rate limiter: at most `limit` permits in ANY window of `windowMs`, not just in
// aligned one-second buckets (a fixed window lets 2×limit through around a bucket edge).
//
// Guarantees:
// - A permit is granted at time t only if fewer than `limit` permits were granted in
//   (t − windowMs, t]. The check and the grant are one atomic step in the store, so concurrent
//   callers (in one process, or in many processes sharing one Redis store) can never overshoot.
// - Time comes from the store (Redis' TIME for the shared store), so processes with skewed
//   clocks still agree on the window.
// - `acquire` waits (FIFO is not promised; fairness is approximate) until a permit is granted
//   or the caller's signal aborts; `tryAcquire` answers at once.
// - Waiting costs no CPU: the store says how long until the oldest permit leaves the window,
//   and the caller sleeps that long before asking again.
//
// Stores: MemoryRateLimitStore below (one process); RedisRateLimitStore in
// redis/rate-limit-store.ts (every process sharing the Redis), wrapped in FallbackRateLimitStore,
// which limits in-process at the same rate while Redis is unreachable.

import { sleep } from "../rpc/context.ts";

/** Port: an atomic "grant a permit if the window has room" operation. */
export interface RateLimitStore {
  /** Grants a permit and returns 0, or returns the ms to wait before a permit may be free. */
  tryAcquire(key: string, limit: number, windowMs: number): Promise<number>;
}

/** In-process store (embedded mode, tests): one log of grant times per key. */
export class MemoryRateLimitStore implements RateLimitStore {
  #logs = new Map<string, number[]>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  async tryAcquire(key: string, limit: number, windowMs: number): Promise<number> {
    const now = this.#now();
    const log = this.#logs.get(key) ?? [];
    while (log.length > 0 && (log[0] ?? 0) <= now - windowMs) log.shift();
    if (log.length < limit) {
      log.push(now);
      this.#logs.set(key, log);
      return 0;
    }
    return Math.max(1, Math.ceil((log[0] ?? now) + windowMs - now));
  }
}

export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly key: string,
    readonly limit: number,
    readonly windowMs = 1000,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error("rate limit must be a positive integer");
  }

  tryAcquire(): Promise<boolean> {
    return this.store.tryAcquire(this.key, this.limit, this.windowMs).then((wait) => wait === 0);
  }

  async acquire(signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      const wait = await this.store.tryAcquire(this.key, this.limit, this.windowMs);
      if (wait === 0) return;
      await sleep(wait, signal);
    }
  }
}
