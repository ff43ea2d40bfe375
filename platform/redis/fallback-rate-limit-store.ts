// The shared rate-limit store with an in-process fallback for when Redis is unreachable: the
// limiter answers from a log in this process, logs the switch once, raises a gauge, and goes
// back to Redis on the first call that succeeds there.
//
// Why a share and not the whole rate: every process falls back at once when Redis goes, and
// each taking the whole limit would send n × limit (three carts: ~26 calls a second against 10,
// most refused). So each takes limit ÷ n, where n is the number of processes last seen sharing
// the budget (LivePeers heartbeats in Redis; a configured count when Redis was never reached,
// whichever is larger). floor(limit ÷ n) per window keeps the sum within the limit; with more
// processes than the limit allows, each gets one permit per ceil(n ÷ limit) windows, which holds
// the limit on average only (n processes may each use their one permit in the same second).
//
// Returning to Redis, the permits this process granted in-process that still count are carried
// into Redis' log (as if granted at that moment, so for a little longer than they would count)
// in the same atomic step as the first attempt there, per key: the window that straddles the
// outage's end holds both sides' permits, never the limit plus the shares.

import { Gauge, type Registry } from "prom-client";
import { type Attempt, MemoryRateLimitStore, type RateLimitStore } from "../concurrency/rate-limiter.ts";
import type { Logger } from "../observability/logger.ts";

/** This process's part of `limit` per `windowMs` when `peers` processes share it. */
export function shareOf(limit: number, windowMs: number, peers: number): { limit: number; windowMs: number } {
  const n = Math.max(1, Math.floor(peers));
  if (n <= limit) return { limit: Math.floor(limit / n), windowMs };
  return { limit: 1, windowMs: windowMs * Math.ceil(n / limit) };
}

/** The shared store: a rate-limit store that can take permits granted elsewhere into its count. */
export interface CarryingRateLimitStore extends RateLimitStore {
  tryAcquire(key: string, limit: number, windowMs: number, leaseMs: number, carry?: number): Promise<Attempt>;
}

/** Uses `primary` while it answers; the in-process store, at this process's share, while it fails. */
export class FallbackRateLimitStore implements RateLimitStore {
  readonly #fallback = new MemoryRateLimitStore();
  readonly #gauge: Gauge;
  /** Keys with in-process permits not yet carried into the primary, and the window they used. */
  readonly #owed = new Map<string, number>();
  #onFallback = false;

  constructor(
    private readonly primary: CarryingRateLimitStore,
    private readonly logger: Logger,
    registry?: Registry,
    /** How many processes share the budget (see above); 1 = this one alone. */
    private readonly peers: () => number = () => 1,
  ) {
    this.#gauge = new Gauge({
      name: "rate_limit_store_fallback",
      help: "1 while the shared (Redis) rate-limit store is unreachable and the in-process one is used.",
      registers: registry ? [registry] : [],
    });
    this.#gauge.set(0);
  }

  get onFallback(): boolean {
    return this.#onFallback;
  }

  async tryAcquire(key: string, limit: number, windowMs: number, leaseMs: number): Promise<Attempt> {
    const owedWindow = this.#owed.get(key);
    const carry = owedWindow === undefined ? 0 : this.#fallback.counting(key, owedWindow);
    try {
      const attempt = await this.primary.tryAcquire(key, limit, windowMs, leaseMs, carry);
      this.#owed.delete(key);
      if (this.#onFallback) this.#switch(false, undefined);
      return attempt;
    } catch (err) {
      if (!this.#onFallback) this.#switch(true, err);
      const share = shareOf(limit, windowMs, this.peers());
      this.#owed.set(key, share.windowMs);
      return this.#fallback.tryAcquire(key, share.limit, share.windowMs, leaseMs);
    }
  }

  #switch(toFallback: boolean, err: unknown): void {
    this.#onFallback = toFallback;
    this.#gauge.set(toFallback ? 1 : 0);
    if (toFallback) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn(
        { err: message, peers: this.peers() },
        "shared rate-limit store unreachable; limiting in-process at this process's share",
      );
    } else this.logger.info("shared rate-limit store reachable again");
  }
}
