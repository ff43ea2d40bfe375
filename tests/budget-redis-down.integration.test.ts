// The product budget with Redis down: three cart processes against the stack's product-mock and
// Postgres, sharing two Redis shards of their own (real redis-server processes on free ports,
// so the stack's Redis stays up for other tests). They see each other in Redis, then both
// shards are killed and they look up uncached SKUs for 10 s: each must fall back to its share of
// the budget, not all of it, so product-mock's own record shows no refusal and no one-second
// window over 10.

import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  type Cart,
  driveLookups,
  gauge,
  productCallsSince,
  startCarts,
  stopCarts,
  uncachedSkus,
} from "./support/carts.ts";
import { startRedis, type TestRedis } from "./support/redis-server.ts";

const RUN_MS = 10_000;
let shards: TestRedis[] = [];
let carts: Cart[] = [];

beforeAll(async () => {
  shards = await Promise.all([startRedis(), startRedis()]);
  carts = await startCarts(3, { CART_REDIS_URLS: shards.map((s) => s.url).join(",") });
}, 60_000);

afterAll(async () => {
  await stopCarts(carts);
  await Promise.all(shards.map((s) => s.stop()));
});

test("three carts, Redis shards killed: each takes its share, product-mock never refuses", async () => {
  await Bun.sleep(1_500); // a heartbeat or more from every cart
  await Promise.all(shards.map((s) => s.stop()));
  const skus = await uncachedSkus(400);
  const since = Date.now();
  const statuses = await driveLookups(carts, skus, RUN_MS);
  const elapsedS = (Date.now() - since) / 1000;
  const report = await productCallsSince(since);
  console.log(
    `Redis down: ${report.calls} product calls (${report.refused} refused, busiest second ${report.busiest_window}) in ${elapsedS.toFixed(1)} s, statuses`,
    Object.fromEntries(statuses),
  );
  expect(report.refused).toBe(0);
  expect(report.busiest_window).toBeLessThanOrEqual(10);
  for (const cart of carts) {
    expect(await gauge(cart.url, "rate_limit_store_fallback")).toBe(1);
    // The three carts seen alive before the outage, still the divisor during it.
    expect(await gauge(cart.url, "rate_limit_peers")).toBe(3);
  }
  for (const status of statuses.keys()) expect([200, 412]).toContain(status);
  // Three shares of floor(10 / 3) = 3: about 9 a second, minus each permit's hold.
  expect(report.calls).toBeGreaterThanOrEqual(0.7 * 9 * elapsedS);
}, 60_000);
