// The sliding-log limiter with an injected clock: exact window edges, waits, interceptors.

import { describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { GetProductRequestSchema, ProductService } from "../../gen/proto/product/v1/product_pb.ts";
import { newCall } from "../rpc/call.ts";
import { backgroundCtx } from "../rpc/context.ts";
import { AppError } from "../rpc/errors.ts";
import { rateLimitClientInterceptor, rateLimitServerInterceptor } from "../rpc/interceptors/rate-limit.ts";
import { MemoryRateLimitStore, RateLimiter } from "./rate-limiter.ts";

describe("MemoryRateLimitStore", () => {
  test("at most `limit` grants in any window, free again exactly one window after the oldest", async () => {
    let now = 1_000;
    const store = new MemoryRateLimitStore(() => now);
    for (let i = 0; i < 3; i++) {
      expect(await store.tryAcquire("k", 3, 1000)).toBe(0);
      now += 100; // grants at 1000, 1100, 1200
    }
    expect(await store.tryAcquire("k", 3, 1000)).toBe(700); // oldest (1000) leaves at 2000; now 1300
    now = 1999;
    expect(await store.tryAcquire("k", 3, 1000)).toBe(1);
    now = 2000;
    expect(await store.tryAcquire("k", 3, 1000)).toBe(0); // window (1000, 2000] holds 1100, 1200 + this
    expect(await store.tryAcquire("k", 3, 1000)).toBe(100);
    expect(await store.tryAcquire("other", 3, 1000)).toBe(0); // keys are independent
  });

  test("a sliding window never lets 2×limit through around a boundary", async () => {
    let now = 0;
    const store = new MemoryRateLimitStore(() => now);
    const grants: number[] = [];
    for (now = 0; now < 5000; now += 7) if ((await store.tryAcquire("k", 10, 1000)) === 0) grants.push(now);
    for (const t of grants)
      expect(grants.filter((g) => g > t - 1000 && g <= t).length).toBeLessThanOrEqual(10);
    expect(grants.length).toBeGreaterThanOrEqual(45);
  });
});

describe("RateLimiter", () => {
  test("acquire waits for a permit; abort stops the wait", async () => {
    const limiter = new RateLimiter(new MemoryRateLimitStore(), "k", 1, 50);
    await limiter.acquire(new AbortController().signal);
    const started = performance.now();
    await limiter.acquire(new AbortController().signal);
    expect(performance.now() - started).toBeGreaterThanOrEqual(40);
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(AppError.unavailable("stop"));
    await expect(waiting).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });

  test("server interceptor refuses beyond the limit; client interceptor waits instead", async () => {
    const call = newCall(ProductService.method.getProduct, backgroundCtx(), "server", "grpc");
    const req = create(GetProductRequestSchema, { sku: 1n });
    const next = async () => req;
    const server = rateLimitServerInterceptor(new RateLimiter(new MemoryRateLimitStore(), "s", 2, 60_000))(
      next,
    );
    await server(req, call);
    await server(req, call);
    await expect(server(req, call)).rejects.toMatchObject({ code: "RESOURCE_EXHAUSTED" });

    const client = rateLimitClientInterceptor(new RateLimiter(new MemoryRateLimitStore(), "c", 1, 30))(next);
    const started = performance.now();
    await client(req, { ...call, side: "client" });
    await client(req, { ...call, side: "client" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  test("rejects a non-positive limit", () => {
    expect(() => new RateLimiter(new MemoryRateLimitStore(), "k", 0)).toThrow();
  });
});
