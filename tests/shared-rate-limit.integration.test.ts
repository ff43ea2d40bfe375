// One product budget shared by three cart processes through the stack's Redis: three extra cart
// processes (spawned here, stopped here) drive product look-ups of distinct, uncached SKUs for
// 60 s. product-mock's own record must show no refusal and no one-second window over 10 (its
// sliding log refuses any 11th call in a second), and most of the budget used.

import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  type Cart,
  driveLookups,
  productCallsSince,
  startCarts,
  stopCarts,
  uncachedSkus,
} from "./support/carts.ts";

const RUN_MS = 60_000;
let carts: Cart[] = [];

beforeAll(async () => {
  carts = await startCarts(3);
}, 60_000);

afterAll(async () => {
  await stopCarts(carts);
});

test("three cart processes share 10 RPS for 60 s: no refusal, no 1-s window over 10, budget used", async () => {
  const skus = await uncachedSkus(900);
  const since = Date.now();
  const statuses = await driveLookups(carts, skus, RUN_MS);
  const elapsedS = (Date.now() - since) / 1000;
  const report = await productCallsSince(since);
  console.log(
    `shared limiter: ${report.calls} product calls (${report.refused} refused, busiest second ${report.busiest_window}) in ${elapsedS.toFixed(1)} s, statuses`,
    Object.fromEntries(statuses),
  );
  expect(report.refused).toBe(0);
  expect(report.busiest_window).toBeLessThanOrEqual(10);
  // Generated SKUs have no stock unless the bench seed is loaded: 412, or 200 when it is.
  for (const status of statuses.keys()) expect([200, 412]).toContain(status);
  // Each permit is held for its call and a window after it, so a little under 10 a second; a
  // starved limiter (or one serialising the carts) would fall far below 80% of the budget.
  expect(report.calls).toBeGreaterThanOrEqual(0.8 * 10 * elapsedS);
}, 120_000);
