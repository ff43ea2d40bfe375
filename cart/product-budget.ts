// The product budget's wiring (docs/product-budget.md): the limiter every product call takes a
// permit from, and the cap on checks of tokens cart has never seen accepted.
//
// The product service counts a call when it arrives, after delays we cannot bound, so a permit is
// held from its grant until a window after the answer is in (platform/concurrency/rate-limiter.ts
// proves that no delay can then squeeze more than the limit into one of its seconds). The margin
// on the window covers only clocks running at slightly different rates (Redis' and the product
// service's): 10 ms is 1%, far above NTP's worst slew. A permit's lease is the call timeout plus
// a second: no attempt holds one longer, and a crashed cart's permits free themselves after it.
//
// With Redis, the log is shared by every cart; while Redis is unreachable each cart limits itself
// in-process to its share, the limit divided by the carts last seen alive there (LivePeers) or
// the configured count, whichever is larger.

import type { Registry } from "prom-client";
import { MemoryRateLimitStore, RateLimiter } from "../platform/concurrency/rate-limiter.ts";
import type { Logger } from "../platform/observability/logger.ts";
import { FallbackRateLimitStore } from "../platform/redis/fallback-rate-limit-store.ts";
import { LivePeers } from "../platform/redis/live-peers.ts";
import { RedisRateLimitStore } from "../platform/redis/rate-limit-store.ts";
import type { RedisShard } from "../platform/redis/shards.ts";
import type { CartConfig } from "./main.ts";

export interface ProductBudget {
  readonly limiter: RateLimiter;
  readonly unverifiedCap: RateLimiter;
  stop(): void;
}

export async function productBudget(
  config: CartConfig,
  shards: readonly RedisShard[],
  logger: Logger,
  registry: Registry,
): Promise<ProductBudget> {
  const redis = shards.length > 0 ? new RedisRateLimitStore(shards) : undefined;
  const peers = redis
    ? new LivePeers(redis, { key: "product-service", atLeast: config.productBudgetCarts, registry })
    : undefined;
  await peers?.refresh();
  const store = redis
    ? new FallbackRateLimitStore(redis, logger, registry, () => peers?.count() ?? 1)
    : new MemoryRateLimitStore();
  const windowMs = 1000 + config.productRpsMarginMs;
  const limiter = new RateLimiter(
    store,
    "product-service",
    config.productRps,
    windowMs,
    config.clientTimeoutMs + 1_000,
  );
  // Checks of unknown tokens come out of the same budget (each is a call through `limiter`),
  // capped so that strangers can take at most this part of it (cached-catalog.ts).
  const unverifiedCap = new RateLimiter(
    store,
    "product-service:unverified",
    Math.min(config.productUnverifiedRps, config.productRps),
    windowMs,
  );
  return { limiter, unverifiedCap, stop: () => peers?.stop() };
}
