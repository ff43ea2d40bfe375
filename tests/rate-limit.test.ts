// Cart's client-side rate limiter keeps product calls within product-mock's 10 RPS under
// concurrent load: product-mock (which counts per one-second window and answers
// RESOURCE_EXHAUSTED beyond 10) never has to refuse, and the limiter does not throttle far below
// the rate either: the look-ups finish about as fast as 10 per second allows.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

const RPS = 10;
let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem({
    PRODUCT_MOCK_RPS: String(RPS),
    CART_PRODUCT_RPS_LIMIT: String(RPS),
    PRODUCT_MOCK_GENERATED: "100",
  });
});
afterAll(async () => {
  await sys?.destroy();
});

const okLookups = async () => {
  const metrics = await (await fetch(`${sys.productUrl}/metrics`)).text();
  const m = /rpc_requests_total\{[^}]*GetProduct[^}]*code="OK"[^}]*\} (\d+)\n/.exec(metrics);
  return { ok: Number(m?.[1] ?? 0), refused: metrics.includes('code="RESOURCE_EXHAUSTED"') };
};

test("concurrent listings: no window over 10 RPS at product-mock, and the rate not far under it", async () => {
  // Six SKUs both in the catalog and in stock, in each of four carts: 24 adds, sequential.
  const skus = [1148162, 1076963, 773297411, 2958025, 2618151, 2956315];
  for (const user of [1, 2, 3, 4]) {
    for (const sku of skus) {
      expect((await http("POST", `${sys.cartUrl}/user/${user}/cart/${sku}`, { count: 1 })).status).toBe(200);
    }
  }
  // Let the adds' windows pass, then 8 listings at once: 48 look-ups through the worker pool.
  await Bun.sleep(1_100);
  const before = (await okLookups()).ok;
  const started = performance.now();
  const listings = await Promise.all(
    Array.from({ length: 8 }, (_, i) => http("GET", `${sys.cartUrl}/user/${(i % 4) + 1}/cart`)),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const listing of listings) expect(listing.status).toBe(200);

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
