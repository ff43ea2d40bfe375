// The rate-limit store port (../rate-limiter.ts) on Redis, shared by every process that uses
// the same Redis: the sliding-log limiter's guarantee then holds for their calls summed.
//
// How it works: one Lua script per attempt. Redis runs a script atomically (no other command
// interleaves), so "drop grants older than the window, count, grant if below the limit" is one
// step for every process at once. The log is a sorted set per limiter key, scored by grant time
// in microseconds; members carry a per-key sequence number so that two grants in the same
// microsecond stay two entries. Time is Redis' own TIME, read inside the script: processes
// with skewed clocks still agree on one timeline. The keys expire one window after the last
// grant, so idle limiters leave nothing behind.
//
// What it relies on: Redis >= 5 (scripts replicate by effects, which allows TIME before a
// write); every process sending the same key to the same instance (the limiter key picks one
// shard by rendezvous hashing over the configured addresses, which must be the same list in
// every process); the instance not losing its data mid-window (a restart empties the log and
// can let up to one extra window's worth through once).
//
// When Redis is unreachable the fallback store below answers from an in-process log at the
// same rate, logs the switch once, raises a gauge, and goes back to Redis on the first call
// that succeeds there. While on the fallback, each process has its own budget: n processes can
// send n × limit — the price of staying up without Redis.

import type { Redis } from "ioredis";
import { Gauge, type Registry } from "prom-client";
import { MemoryRateLimitStore, type RateLimitStore } from "../concurrency/rate-limiter.ts";
import type { Logger } from "../observability/logger.ts";
import { rendezvousIndex } from "./rendezvous.ts";
import type { RedisShard } from "./shards.ts";

const SLIDING_LOG = `
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000000 + tonumber(now_t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2]) * 1000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  local seq = redis.call('INCR', KEYS[2])
  redis.call('ZADD', KEYS[1], now, now .. ':' .. seq)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  return 0
end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
return math.max(1, math.ceil((oldest + window - now) / 1000))
`;

type WithSlidingLog = Redis & {
  slidingLog(log: string, seq: string, limit: number, windowMs: number): Promise<number>;
};

export class RedisRateLimitStore implements RateLimitStore {
  readonly #shards: readonly RedisShard[];

  constructor(shards: readonly RedisShard[]) {
    if (shards.length === 0) throw new Error("RedisRateLimitStore needs at least one shard");
    this.#shards = shards;
    for (const { client } of shards) {
      // defineCommand sends EVALSHA and falls back to EVAL when the script is not loaded yet.
      if (!("slidingLog" in client))
        client.defineCommand("slidingLog", { numberOfKeys: 2, lua: SLIDING_LOG });
    }
  }

  /** The shard this key's log lives on (the same in every process with the same shard list). */
  shardFor(key: string): RedisShard {
    const shard =
      this.#shards[
        rendezvousIndex(
          key,
          this.#shards.map((s) => s.id),
        )
      ];
    if (!shard) throw new Error("no shard");
    return shard;
  }

  async tryAcquire(key: string, limit: number, windowMs: number): Promise<number> {
    const client = this.shardFor(key).client as WithSlidingLog;
    // The hash tag keeps both keys in one slot should the instances ever become a Cluster.
    return Number(await client.slidingLog(`ratelimit:{${key}}`, `ratelimit:{${key}}:seq`, limit, windowMs));
  }
}

/** Uses `primary` while it answers; the in-process store while it fails (see above). */
export class FallbackRateLimitStore implements RateLimitStore {
  readonly #fallback = new MemoryRateLimitStore();
  readonly #gauge: Gauge;
  #onFallback = false;

  constructor(
    private readonly primary: RateLimitStore,
    private readonly logger: Logger,
    registry?: Registry,
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

  async tryAcquire(key: string, limit: number, windowMs: number): Promise<number> {
    try {
      const wait = await this.primary.tryAcquire(key, limit, windowMs);
      if (this.#onFallback) this.#switch(false, undefined);
      return wait;
    } catch (err) {
      if (!this.#onFallback) this.#switch(true, err);
      return this.#fallback.tryAcquire(key, limit, windowMs);
    }
  }

  #switch(toFallback: boolean, err: unknown): void {
    this.#onFallback = toFallback;
    this.#gauge.set(toFallback ? 1 : 0);
    if (toFallback) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn({ err: message }, "shared rate-limit store unreachable; limiting in-process");
    } else this.logger.info("shared rate-limit store reachable again");
  }
}
