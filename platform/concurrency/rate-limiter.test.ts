// The sliding-log limiter with an injected clock: exact window edges, held permits counting until
// a window after release, leases, waits, the client interceptor.

import { describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { GetProductRequestSchema, ProductService } from "../../gen/proto/product/v1/product_pb.ts";
import { newCall } from "../rpc/call.ts";
import { backgroundCtx } from "../rpc/context.ts";
import { AppError } from "../rpc/errors.ts";
import { rateLimitClientInterceptor } from "../rpc/interceptors/rate-limit.ts";
import { type Attempt, MemoryRateLimitStore, RateLimiter } from "./rate-limiter.ts";

const wait = (a: Attempt) => (a.granted ? 0 : a.waitMs);

describe("MemoryRateLimitStore", () => {
  test("at most `limit` grants in any window, free again exactly one window after the oldest", async () => {
    let now = 1_000;
    const store = new MemoryRateLimitStore(() => now);
    const at = async (key = "k") => wait(await store.tryAcquire(key, 3, 1000, 0));
    for (let i = 0; i < 3; i++) {
      expect(await at()).toBe(0);
      now += 100; // grants at 1000, 1100, 1200
    }
    expect(await at()).toBe(700); // oldest (1000) leaves at 2000; now 1300
    now = 1999;
    expect(await at()).toBe(1);
    now = 2000;
    expect(await at()).toBe(0); // window (1000, 2000] holds 1100, 1200 + this
    expect(await at()).toBe(100);
    expect(await at("other")).toBe(0); // keys are independent
  });

  test("a sliding window never lets 2×limit through around a boundary", async () => {
    let now = 0;
    const store = new MemoryRateLimitStore(() => now);
    const grants: number[] = [];
    for (now = 0; now < 5000; now += 7)
      if ((await store.tryAcquire("k", 10, 1000, 0)).granted) grants.push(now);
    for (const t of grants)
      expect(grants.filter((g) => g > t - 1000 && g <= t).length).toBeLessThanOrEqual(10);
    expect(grants.length).toBeGreaterThanOrEqual(45);
  });

  test("a held permit counts until a window after its release, however long the call took", async () => {
    let now = 0;
    const store = new MemoryRateLimitStore(() => now);
    const first = await store.tryAcquire("k", 1, 1000, 60_000);
    if (!first.granted) throw new Error("first permit refused");
    now = 5_000; // the call is still running five windows later
    const held = await store.tryAcquire("k", 1, 1000, 60_000);
    expect(wait(held)).toBe(1000); // held: a full window at the earliest
    await first.permit.release(); // answered at 5000
    now = 5_999;
    expect(wait(await store.tryAcquire("k", 1, 1000, 60_000))).toBe(1);
    now = 6_000;
    expect((await store.tryAcquire("k", 1, 1000, 60_000)).granted).toBe(true);
  });

  test("a permit never released counts until its lease ends, then one window more", async () => {
    let now = 0;
    const store = new MemoryRateLimitStore(() => now);
    expect((await store.tryAcquire("k", 1, 1000, 3_000)).granted).toBe(true); // holder crashes
    now = 3_999;
    expect((await store.tryAcquire("k", 1, 1000, 3_000)).granted).toBe(false);
    now = 4_000;
    expect((await store.tryAcquire("k", 1, 1000, 3_000)).granted).toBe(true);
  });

  test("calls that reach the server at any delay never exceed the limit in its windows", async () => {
    // A model of the stack: each call reaches the server after a small random delay, except that
    // the server stalls 300 ms every 2 s (a GC pause, a busy event loop) and then counts every
    // call that arrived meanwhile at once — a delay far beyond any fixed margin. Calls are
    // answered 20 ms after the server counts them, and release then. The server's own log must
    // never hold more than the limit in any window.
    let now = 0;
    const store = new MemoryRateLimitStore(() => now);
    const counted: number[] = [];
    const inFlight: { releaseAt: number; release: () => Promise<void> }[] = [];
    let seed = 7;
    const random = () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const serverTime = (t: number) => (t % 2000 >= 500 && t % 2000 < 800 ? t - (t % 2000) + 800 : t);
    for (now = 0; now < 20_000; now += 3) {
      for (const call of inFlight.filter((c) => c.releaseAt <= now)) {
        await call.release();
        inFlight.splice(inFlight.indexOf(call), 1);
      }
      const attempt = await store.tryAcquire("k", 10, 1000, 60_000);
      if (!attempt.granted) continue;
      const at = serverTime(now + random() * 10);
      counted.push(at);
      inFlight.push({ releaseAt: at + 20, release: () => attempt.permit.release() });
    }
    counted.sort((a, b) => a - b);
    for (const t of counted)
      expect(counted.filter((a) => a > t - 1000 && a <= t).length).toBeLessThanOrEqual(10);
    expect(counted.length).toBeGreaterThan(150); // most of 10 a second: the budget is used
  });
});

describe("RateLimiter", () => {
  test("acquire waits for a permit; abort stops the wait", async () => {
    const limiter = new RateLimiter(new MemoryRateLimitStore(), "k", 1, 50);
    await (await limiter.acquire(new AbortController().signal)).release();
    const started = performance.now();
    await limiter.acquire(new AbortController().signal);
    expect(performance.now() - started).toBeGreaterThanOrEqual(40);
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(AppError.unavailable("stop"));
    await expect(waiting).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });

  test("tryAcquire counts arrivals: refuses beyond the limit at once", async () => {
    const limiter = new RateLimiter(new MemoryRateLimitStore(), "s", 2, 60_000);
    expect([await limiter.tryAcquire(), await limiter.tryAcquire(), await limiter.tryAcquire()]).toEqual([
      true,
      true,
      false,
    ]);
  });

  test("client interceptor holds the permit for the call, and releases it on errors too", async () => {
    const call = newCall(ProductService.method.getProduct, backgroundCtx(), "client", "grpc");
    const req = create(GetProductRequestSchema, { sku: 1n });
    const limiter = new RateLimiter(new MemoryRateLimitStore(), "c", 1, 30);
    const slow = rateLimitClientInterceptor(limiter)(async () => {
      await Bun.sleep(60);
      throw AppError.unavailable("down");
    });
    const fast = rateLimitClientInterceptor(limiter)(async () => req);
    const started = performance.now();
    await expect(slow(req, call)).rejects.toMatchObject({ code: "UNAVAILABLE" });
    await fast(req, call); // waited for the slow call's end plus one window
    expect(performance.now() - started).toBeGreaterThanOrEqual(60 + 25);
  });

  test("rejects a non-positive limit", () => {
    expect(() => new RateLimiter(new MemoryRateLimitStore(), "k", 0)).toThrow();
  });
});
