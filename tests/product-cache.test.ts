// The product cache end to end (embedded mode: the in-process layer): warm listings make no
// product calls, an unknown SKU is asked once while its negative entry lives, and a warm listing
// does not queue behind product calls that hold the whole process-wide pool.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

let sys: TestSystem;
beforeAll(async () => {
  // One product call in flight per process, each taking 1.5 s: any queueing would show.
  sys = await startTestSystem({
    CART_WORKERS: "1",
    PRODUCT_MOCK_LATENCY_MS: "1500",
    PRODUCT_MOCK_LATENCY_JITTER_MS: "0",
  });
}, 30_000);
afterAll(async () => {
  await sys?.destroy();
});

async function productCalls(): Promise<number> {
  const text = await (await fetch(`${sys.productUrl}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith("grpc_server_handled_total{") && l.includes('grpc_method="GetProduct"'))
    .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
}

test("warm listings, negative entries and no queueing behind cold look-ups", async () => {
  const skus = [1148162, 1076963, 773297411];
  for (const sku of skus)
    expect((await http("POST", `${sys.cartUrl}/user/1/cart/${sku}`, { count: 1 })).status).toBe(200);
  const afterAdds = await productCalls();

  // Warm: five listings, not one product call.
  for (let i = 0; i < 5; i++) expect((await http("GET", `${sys.cartUrl}/user/1/cart`)).status).toBe(200);
  expect(await productCalls()).toBe(afterAdds);

  // Unknown SKU: 412 twice, one product call (the second answer is the negative entry).
  for (let i = 0; i < 2; i++)
    expect((await http("POST", `${sys.cartUrl}/user/1/cart/424242`, { count: 1 })).status).toBe(412);
  expect(await productCalls()).toBe(afterAdds + 1);

  // A cold look-up holds the only worker for 1.5 s; a warm listing meanwhile is not behind it.
  const order: string[] = [];
  const cold = http("POST", `${sys.cartUrl}/user/2/cart/2958025`, { count: 1 }).then((r) => {
    order.push("cold");
    return r;
  });
  await Bun.sleep(50);
  const warm = await http("GET", `${sys.cartUrl}/user/1/cart`);
  order.push("warm");
  expect(warm.status).toBe(200);
  expect((await cold).status).toBe(200);
  expect(order).toEqual(["warm", "cold"]);
}, 30_000);
