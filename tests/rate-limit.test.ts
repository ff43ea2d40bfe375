// Cart's client-side rate limiter keeps product calls within product-mock's 10 RPS: a burst of
// adds and listings (look-ups run concurrently through the worker pool) succeeds, and
// product-mock never has to answer RESOURCE_EXHAUSTED.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

let sys: TestSystem;
beforeAll(async () => {
  // The local cache off, so that every look-up reaches the product service through the limiter.
  sys = await startTestSystem({
    PRODUCT_MOCK_RPS: "10",
    CART_PRODUCT_RPS_LIMIT: "10",
    PRODUCT_MOCK_GENERATED: "100",
    CART_PRODUCT_CACHE_LOCAL_SIZE: "0",
  });
});
afterAll(async () => {
  await sys?.destroy();
});

test("36 look-ups at 10 RPS: every request succeeds and product-mock never answers 429", async () => {
  // Six SKUs both in the catalog and in stock: 6 adds, then 5 listings of 6 items = 36 calls.
  const skus = [1148162, 1076963, 773297411, 2958025, 2618151, 2956315];
  const started = performance.now();
  for (const sku of skus)
    expect((await http("POST", `${sys.cartUrl}/user/1/cart/${sku}`, { count: 1 })).status).toBe(200);
  for (let i = 0; i < 5; i++) expect((await http("GET", `${sys.cartUrl}/user/1/cart`)).status).toBe(200);
  // 36 calls at 10 per any one-second window cannot finish in under 3 seconds.
  expect(performance.now() - started).toBeGreaterThan(3000);
  const metrics = await (await fetch(`${sys.productUrl}/metrics`)).text();
  expect(metrics).not.toContain('grpc_code="ResourceExhausted"');
  expect(metrics).toMatch(/grpc_server_handled_total\{[^}]*GetProduct[^}]*grpc_code="OK"[^}]*\} 36\n/);
}, 30_000);
