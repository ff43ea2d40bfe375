// Cart's client-side rate limiter keeps product calls within product-mock's 10 RPS under
// concurrent load: product-mock (which counts per one-second window and answers
// RESOURCE_EXHAUSTED beyond 10) never has to refuse, and the limiter does not throttle far below
// the rate either: the look-ups finish about as fast as 10 per second allows.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

const RPS = 10;
let sys: TestSystem;
beforeAll(async () => {
  // The local cache off, so that every look-up reaches the product service through the limiter.
  sys = await startTestSystem({
    PRODUCT_MOCK_RPS: String(RPS),
    CART_PRODUCT_RPS_LIMIT: String(RPS),
    PRODUCT_MOCK_GENERATED: "100",
    CART_PRODUCT_CACHE_LOCAL_SIZE: "0",
  });
});
afterAll(async () => {
  await sys?.destroy();
});

const okLookups = async () => {
  const metrics = await (await fetch(`${sys.productUrl}/metrics`)).text();
  const m = /grpc_server_handled_total\{[^}]*GetProduct[^}]*grpc_code="OK"[^}]*\} (\d+)\n/.exec(metrics);
  return { ok: Number(m?.[1] ?? 0), refused: metrics.includes('grpc_code="ResourceExhausted"') };
};

test("48 concurrent look-ups: no window over 10 RPS at product-mock, and the rate not far under it", async () => {
  // 48 distinct catalog SKUs, so that neither the product cache nor its coalescing of concurrent
  // misses can save a call: each add below makes exactly one GetProduct (and then, as these
  // generated SKUs have no stock, answers 412).
  const listed = await http("POST", `${sys.productUrl}/list_skus`, {
    token: "testtoken",
    start_after_sku: 0,
    count: 500,
  });
  const skus = ((listed.body as { skus: number[] }).skus ?? []).slice(-48);
  expect(skus.length).toBe(48);
  await Bun.sleep(1_100); // a fresh window
  const before = (await okLookups()).ok;
  const started = performance.now();
  const adds = await Promise.all(
    skus.map((sku) => http("POST", `${sys.cartUrl}/user/7/cart/${sku}`, { count: 1 })),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const add of adds) expect([200, 412]).toContain(add.status);

  const after = await okLookups();
  const calls = after.ok - before;
  expect(calls).toBe(48);
  // No one-second window at product-mock held more than 10: it never refused one.
  expect(after.refused).toBe(false);
  // 48 calls at 10 per window need more than 3.7 s (the first window may hold a full 10 and the
  // limiter's window is widened by its margin)...
  expect(seconds).toBeGreaterThan((calls - RPS) / RPS - 0.2);
  // ...and a limiter that throttles far below its rate (say under 6 RPS) fails here.
  expect(calls / seconds).toBeGreaterThan(6);
  console.log(
    `48 look-ups in ${seconds.toFixed(2)} s: ${(calls / seconds).toFixed(1)} per second (limit ${RPS})`,
  );
}, 60_000);
