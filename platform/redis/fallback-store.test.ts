// The fallback around the shared rate-limit store: in-process limiting at this process's share
// while the primary fails, one log line and a gauge for the outage, the primary again once it
// answers.
// (The Redis store itself, and the fallback with a real Redis stopped and restarted:
// rate-limit-store.integration.test.ts.)

import { expect, test } from "bun:test";
import { Registry } from "prom-client";
import type { Attempt, RateLimitStore } from "../concurrency/rate-limiter.ts";
import { createLogger } from "../observability/logger.ts";
import { FallbackRateLimitStore, shareOf } from "./fallback-rate-limit-store.ts";

const wait = (a: Attempt) => (a.granted ? 0 : a.waitMs);

test("falls back at the whole rate when alone, logs once, exposes it, and recovers", async () => {
  let down = false;
  let primaryCalls = 0;
  const primary: RateLimitStore = {
    tryAcquire: async () => {
      primaryCalls++;
      if (down) throw new Error("connection refused");
      return { granted: true, permit: { release: async () => {} } };
    },
  };
  const logger = createLogger("test");
  const warnings: unknown[] = [];
  const originalWarn = logger.warn.bind(logger);
  logger.warn = ((...args: unknown[]) => {
    warnings.push(args);
    return originalWarn(...(args as [string]));
  }) as typeof logger.warn;
  const registry = new Registry();
  const store = new FallbackRateLimitStore(primary, logger, registry);
  const gauge = async () =>
    (await registry.getSingleMetricAsString("rate_limit_store_fallback")).split(" ").pop();

  expect(wait(await store.tryAcquire("k", 3, 1000, 0))).toBe(0);
  expect(await gauge()).toBe("0");
  down = true;
  const waits = [];
  for (let i = 0; i < 5; i++) waits.push(wait(await store.tryAcquire("k", 3, 1000, 0)));
  expect(waits.slice(0, 3)).toEqual([0, 0, 0]); // the in-process log: 3 per window, then waits
  expect(waits[3]).toBeGreaterThan(0);
  expect(waits[4]).toBeGreaterThan(0);
  expect(store.onFallback).toBe(true);
  expect(await gauge()).toBe("1");
  expect(warnings.length).toBe(1);
  down = false;
  expect(wait(await store.tryAcquire("k", 3, 1000, 0))).toBe(0);
  expect(store.onFallback).toBe(false);
  expect(await gauge()).toBe("0");
  expect(primaryCalls).toBe(7); // the primary is tried on every call, so recovery is immediate
});

test("with peers, each process falls back to its share: the shares sum to the limit at most", async () => {
  const primary: RateLimitStore = {
    tryAcquire: async () => {
      throw new Error("connection refused");
    },
  };
  const logger = createLogger("test");
  logger.level = "silent";
  const carts = [1, 2, 3].map(() => new FallbackRateLimitStore(primary, logger, undefined, () => 3));
  let granted = 0;
  for (const cart of carts)
    for (let i = 0; i < 10; i++) if ((await cart.tryAcquire("k", 10, 1000, 0)).granted) granted++;
  expect(granted).toBe(9); // 3 each of 10, not 10 each

  expect(shareOf(10, 1000, 1)).toEqual({ limit: 10, windowMs: 1000 });
  expect(shareOf(10, 1000, 4)).toEqual({ limit: 2, windowMs: 1000 });
  expect(shareOf(10, 1000, 25)).toEqual({ limit: 1, windowMs: 3000 });
  expect(shareOf(10, 1000, 0)).toEqual({ limit: 10, windowMs: 1000 });
});
