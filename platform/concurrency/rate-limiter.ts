// A sliding-log rate limiter: at most `limit` permits count in ANY window of `windowMs`, not
// just in aligned one-second buckets (a fixed window lets 2×limit through around a bucket edge).
//
// What a permit is. A permit counts from the moment it is granted until `windowMs` after it is
// released. `tryAcquire` (servers counting arrivals) releases at once, which is the classic
// sliding log: at most `limit` grants in any window. `acquire` (clients) hands back a permit
// that the caller releases when its call has ended, and the permit goes on counting for a
// window after that.
//
// Why clients hold the permit for the call. A client's limiter exists to keep a SERVER's
// limiter from refusing, and that server counts a call when the call reaches it — somewhere
// between our grant and our receipt of its answer, after network and scheduling delays we
// cannot bound (busy event loops on both ends, GC pauses, a stalled server that then handles
// a queue of calls at once). A fixed margin added to the window covers only delays shorter than
// the margin; three carts on the stack with 150 ms still saw a refusal. Holding the permit until
// the answer is in closes the gap for every delay: take any calls the server counted, and the
// one granted last, k. When k was granted fewer than `limit` permits counted, so at least one
// earlier call j had been released a full window before: the server saw j no later than our
// release of j, and k no earlier than our grant of k, so at least `windowMs` apart — never in the
// same server window if `windowMs` is at least the server's. The price is the call's own
// latency per permit: with 10 per second and 20 ms calls, ~9.8 calls a second instead of 10.
//
// Guarantees:
// - A permit is granted at time t only if fewer than `limit` permits count at t. The check and
//   the grant are one atomic step in the store, so concurrent callers (in one process, or in
//   many processes sharing one Redis store) can never overshoot.
// - A permit never released (its holder crashed, or a release failed with the store down)
//   counts as released `leaseMs` after its grant: choose a lease longer than any call may take
//   (cart uses its call timeout). A lost release delays permits, it never adds one.
// - Time comes from the store (Redis' TIME for the shared store), so processes with skewed
//   clocks still agree on the window.
// - `acquire` waits (FIFO is not promised; fairness is approximate) until a permit is granted
//   or the caller's signal aborts; `tryAcquire` answers at once.
// - Waiting costs no CPU: the store says how long until the first permit may stop counting
//   (a held permit: a full window at least), and the caller sleeps that long before asking again.
// - What is NOT covered: a call abandoned by its caller (deadline, cancel) is released then,
//   while its request may still be on its way; the server sees it at the latest when it sees
//   the cancellation, so only a request slower than its own cancellation escapes the bound.
//
// Stores: MemoryRateLimitStore below (one process); RedisRateLimitStore in
// redis/rate-limit-store.ts (every process sharing the Redis), wrapped in FallbackRateLimitStore,
// which limits in-process at this process's share of the rate while Redis is unreachable.

import { sleep } from "../rpc/context.ts";

/** A granted permit; `release` never rejects (a failed release leaves the lease to end it). */
export interface Permit {
  release(): Promise<void>;
}

export type Attempt =
  | { readonly granted: true; readonly permit: Permit }
  | { readonly granted: false; readonly waitMs: number };

/** Port: an atomic "grant a permit if fewer than `limit` count now" operation. */
export interface RateLimitStore {
  /**
   * Grants a permit, or says how many ms to wait before one may be free. The permit counts until
   * `windowMs` after its release, or after `leaseMs` from its grant if it is never released
   * (`leaseMs` 0: released at grant).
   */
  tryAcquire(key: string, limit: number, windowMs: number, leaseMs: number): Promise<Attempt>;
}

const RELEASED: Permit = { release: async () => {} };

/** In-process store (embedded mode, product-mock, the Redis fallback): one log per key. */
export class MemoryRateLimitStore implements RateLimitStore {
  /** Per key, each counting permit's end: its release time, or grant + lease while held. */
  readonly #logs = new Map<string, { endsAt: number }[]>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  async tryAcquire(key: string, limit: number, windowMs: number, leaseMs: number): Promise<Attempt> {
    const now = this.#now();
    const log = (this.#logs.get(key) ?? []).filter((p) => p.endsAt > now - windowMs);
    this.#logs.set(key, log);
    if (log.length < limit) {
      const entry = { endsAt: now + leaseMs };
      log.push(entry);
      if (leaseMs <= 0) return { granted: true, permit: RELEASED };
      const release = async () => {
        entry.endsAt = Math.min(entry.endsAt, this.#now());
      };
      return { granted: true, permit: { release } };
    }
    // The first permit to stop counting: a released one a window after its release, a held one
    // a window after now at the earliest.
    const first = Math.min(...log.map((p) => Math.min(p.endsAt, now)));
    return { granted: false, waitMs: Math.max(1, Math.ceil(first + windowMs - now)) };
  }

  /** Permits of `key` that still count in a window of `windowMs` (held ones included). */
  counting(key: string, windowMs: number): number {
    const now = this.#now();
    return (this.#logs.get(key) ?? []).filter((p) => p.endsAt > now - windowMs).length;
  }
}

export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly key: string,
    readonly limit: number,
    readonly windowMs = 1000,
    /** Longest a permit from `acquire` may be held before it counts as released (see above). */
    readonly leaseMs = 60_000,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error("rate limit must be a positive integer");
  }

  /** Counts an arrival if the window has room: released at once (servers, caps). */
  async tryAcquire(): Promise<boolean> {
    return (await this.store.tryAcquire(this.key, this.limit, this.windowMs, 0)).granted;
  }

  /** Waits for a permit to hold until the call it guards has ended (clients). */
  async acquire(signal: AbortSignal): Promise<Permit> {
    for (;;) {
      signal.throwIfAborted();
      const attempt = await this.store.tryAcquire(this.key, this.limit, this.windowMs, this.leaseMs);
      if (attempt.granted) return attempt.permit;
      await sleep(attempt.waitMs, signal);
    }
  }
}
