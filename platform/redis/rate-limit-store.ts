// The rate-limit store port (../concurrency/rate-limiter.ts) on Redis, shared by every process
// that uses the same Redis: the limiter's guarantee then holds for their calls summed.
//
// How it works: one Lua script per attempt and one per release. Redis runs a script atomically
// (no other command interleaves), so "drop permits that stopped counting, count, grant if below
// the limit" is one step for every process at once. The log is a sorted set per limiter key,
// scored by each permit's end in microseconds: grant + lease while held, the release time once
// released; a permit counts while its end is within the window. Members carry a per-key
// sequence number so that two grants in the same microsecond stay two entries. Time is Redis'
// own TIME, read inside the script: processes with skewed clocks still agree on one timeline.
// The keys expire a lease and a window after the last grant, so idle limiters leave nothing.
//
// What it relies on: Redis >= 5 (scripts replicate by effects, which allows TIME before a
// write); every process sending the same key to the same instance (the limiter key picks one
// shard by rendezvous hashing over the configured addresses, which must be the same list in
// every process); the instance not losing its data mid-window (a restart empties the log and
// can let up to one extra window's worth through once).
//
// When Redis is unreachable, FallbackRateLimitStore (fallback-rate-limit-store.ts) limits
// in-process at this process's share of the rate.

import type { Redis } from "ioredis";
import type { Attempt, RateLimitStore } from "../concurrency/rate-limiter.ts";
import { rendezvousIndex } from "./rendezvous.ts";
import type { RedisShard } from "./shards.ts";

const NOW = `
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000000 + tonumber(now_t[2])
`;

// Extends a key's expiry to at least ms (never shortens what a longer lease needs).
const KEEP = `
local function keep(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
`;

const ACQUIRE = `${NOW}${KEEP}
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2]) * 1000
local lease = tonumber(ARGV[3]) * 1000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local carry = tonumber(ARGV[4])
if carry > 0 then
  local seq = redis.call('INCR', KEYS[2])
  for i = 1, carry do redis.call('ZADD', KEYS[1], now, 'carried:' .. now .. ':' .. seq .. ':' .. i) end
  keep(KEYS[1], tonumber(ARGV[2]))
  keep(KEYS[2], tonumber(ARGV[2]))
end
if redis.call('ZCARD', KEYS[1]) < limit then
  local seq = redis.call('INCR', KEYS[2])
  local member = now .. ':' .. seq
  redis.call('ZADD', KEYS[1], now + lease, member)
  keep(KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]))
  keep(KEYS[2], tonumber(ARGV[2]) + tonumber(ARGV[3]))
  return {0, member}
end
local first = math.min(tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]), now)
return {math.max(1, math.ceil((first + window - now) / 1000)), ''}
`;

// A release only ever moves a permit's end earlier (a lease that already ran out stays ended).
const RELEASE = `${NOW}${KEEP}
local ends = redis.call('ZSCORE', KEYS[1], ARGV[1])
if ends and tonumber(ends) > now then
  redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
  keep(KEYS[1], tonumber(ARGV[2]))
end
return 0
`;

// Live processes sharing a key: each refreshes its own member; those silent for ARGV[2] ms drop.
const HEARTBEAT = `${NOW}
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]) * 1000)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('ZCARD', KEYS[1])
`;

type WithScripts = Redis & {
  rateLimitAcquire(
    log: string,
    seq: string,
    limit: number,
    windowMs: number,
    leaseMs: number,
    carry: number,
  ): Promise<[number, string]>;
  rateLimitRelease(log: string, member: string, windowMs: number): Promise<number>;
  rateLimitHeartbeat(peers: string, member: string, ttlMs: number): Promise<number>;
};

export class RedisRateLimitStore implements RateLimitStore {
  readonly #shards: readonly RedisShard[];

  constructor(shards: readonly RedisShard[]) {
    if (shards.length === 0) throw new Error("RedisRateLimitStore needs at least one shard");
    this.#shards = shards;
    for (const { client } of shards) {
      // defineCommand sends EVALSHA and falls back to EVAL when the script is not loaded yet.
      if ("rateLimitAcquire" in client) continue;
      client.defineCommand("rateLimitAcquire", { numberOfKeys: 2, lua: ACQUIRE });
      client.defineCommand("rateLimitRelease", { numberOfKeys: 1, lua: RELEASE });
      client.defineCommand("rateLimitHeartbeat", { numberOfKeys: 1, lua: HEARTBEAT });
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

  #client(key: string): WithScripts {
    return this.shardFor(key).client as WithScripts;
  }

  /**
   * `carry`: permits granted elsewhere (in-process, during an outage) that still count; they are
   * entered as granted now, in the same atomic step, before this attempt is counted.
   */
  async tryAcquire(
    key: string,
    limit: number,
    windowMs: number,
    leaseMs: number,
    carry = 0,
  ): Promise<Attempt> {
    // The hash tag keeps all of a key's entries in one slot should the instances become a Cluster.
    const log = `ratelimit:{${key}}`;
    const client = this.#client(key);
    const [wait, member] = await client.rateLimitAcquire(log, `${log}:seq`, limit, windowMs, leaseMs, carry);
    if (Number(wait) > 0) return { granted: false, waitMs: Number(wait) };
    const release = async () => {
      if (leaseMs <= 0) return;
      // A release lost with Redis leaves the permit to its lease: later permits wait longer.
      await client.rateLimitRelease(log, member, windowMs).catch(() => {});
    };
    return { granted: true, permit: { release } };
  }

  /**
   * Marks `member` as a live sharer of `key` for `ttlMs` and answers how many are live (this one
   * included). Rejects while the key's shard is unreachable.
   */
  async heartbeat(key: string, member: string, ttlMs: number): Promise<number> {
    return Number(await this.#client(key).rateLimitHeartbeat(`ratelimit:{${key}}:peers`, member, ttlMs));
  }
}
