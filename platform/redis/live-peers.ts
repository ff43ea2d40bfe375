// How many processes share a budget, as last seen in Redis: each process heartbeats its own
// member into a sorted set next to the limiter's log every `intervalMs`, and members silent for
// `ttlMs` drop out. The count is what the rate-limit fallback divides the budget by while Redis
// is unreachable (fallback-rate-limit-store.ts), so it is frozen at its last value during an
// outage: that is exactly when it is needed, and the processes alive just before are the best
// estimate of those alive during it. Never below `atLeast` (the operator's configured count,
// which also covers a process that starts while Redis is down and has seen nobody).

import { hostname } from "node:os";
import { Gauge, type Registry } from "prom-client";
import type { RedisRateLimitStore } from "./rate-limit-store.ts";

export interface LivePeersOptions {
  readonly key: string;
  readonly atLeast: number;
  readonly intervalMs?: number;
  readonly ttlMs?: number;
  readonly registry?: Registry;
}

export class LivePeers {
  readonly #member = `${hostname()}:${process.pid}:${crypto.randomUUID()}`;
  readonly #timer: ReturnType<typeof setInterval>;
  #lastSeen = 0;

  constructor(
    private readonly store: RedisRateLimitStore,
    private readonly options: LivePeersOptions,
  ) {
    const count = () => this.count();
    new Gauge({
      name: "rate_limit_peers",
      help: "Processes sharing the rate limit as last seen in Redis (the fallback divides the limit by it).",
      registers: options.registry ? [options.registry] : [],
      collect(this: Gauge) {
        this.set(count());
      },
    });
    this.#timer = setInterval(() => void this.refresh(), options.intervalMs ?? 1_000);
    this.#timer.unref?.();
  }

  /** The processes to divide the budget by: the last count seen in Redis, at least `atLeast`. */
  count(): number {
    return Math.max(this.options.atLeast, this.#lastSeen, 1);
  }

  /** One heartbeat now; a failure keeps the last count (see above). Never rejects. */
  async refresh(): Promise<void> {
    const ttlMs = this.options.ttlMs ?? 5_000;
    this.#lastSeen = await this.store
      .heartbeat(this.options.key, this.#member, ttlMs)
      .catch(() => this.#lastSeen);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
