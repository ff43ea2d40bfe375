// The fallback around the shared rate-limit store: in-process limiting at the same rate while
// the primary fails, one log line and a gauge for the outage, the primary again once it answers.
// (The Redis store itself, and the fallback with a real Redis stopped and restarted:
// rate-limit-store.integration.test.ts.)

import { expect, test } from "bun:test";
import { Registry } from "prom-client";
import type { RateLimitStore } from "../concurrency/rate-limiter.ts";
import { createLogger } from "../observability/logger.ts";
import { FallbackRateLimitStore } from "./rate-limit-store.ts";

test("falls back at the same rate, logs once, exposes it, and recovers", async () => {
  let down = false;
  let primaryCalls = 0;
  const primary: RateLimitStore = {
    tryAcquire: async () => {
      primaryCalls++;
      if (down) throw new Error("connection refused");
      return 0;
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

  expect(await store.tryAcquire("k", 3, 1000)).toBe(0);
  expect(await gauge()).toBe("0");
  down = true;
  const waits = [];
  for (let i = 0; i < 5; i++) waits.push(await store.tryAcquire("k", 3, 1000));
  expect(waits.slice(0, 3)).toEqual([0, 0, 0]); // the in-process log: 3 per window, then waits
  expect(waits[3]).toBeGreaterThan(0);
  expect(waits[4]).toBeGreaterThan(0);
  expect(store.onFallback).toBe(true);
  expect(await gauge()).toBe("1");
  expect(warnings.length).toBe(1);
  down = false;
  expect(await store.tryAcquire("k", 3, 1000)).toBe(0);
  expect(store.onFallback).toBe(false);
  expect(await gauge()).toBe("0");
  expect(primaryCalls).toBe(7); // the primary is tried on every call, so recovery is immediate
});
