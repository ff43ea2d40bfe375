// The expiry loop runs against concurrent creates and pays on overlapping SKUs: no call may end
// in a 5xx (a deadlock between an expiry batch and a create used to answer 500), and once every
// unpaid order has expired the stock arithmetic is exact: available = start − paid units.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { lomsGateway } from "./support/loms.ts";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem({
    LOMS_PAYMENT_TIMEOUT_MS: "300",
    LOMS_EXPIRY_INTERVAL_MS: "20",
    LOMS_EXPIRY_BATCH_SIZE: "50",
  });
}, 60_000);
afterAll(async () => {
  await sys?.destroy();
});

const loms = lomsGateway(() => sys.lomsUrl);
// Large stocks, so that refusals for lack of stock stay rare and the load keeps its shape.
const SKUS = [139275865, 1625903, 2618151, 3596599, 3618852, 4288068];

function pick(): number[] {
  const shuffled = [...SKUS].sort(() => Math.random() - 0.5);
  return shuffled.slice(0, 2 + Math.floor(Math.random() * 4));
}

test("expiry, creates and pays on overlapping SKUs for seconds: no 5xx, exact stock", async () => {
  const start = new Map<number, number>();
  for (const sku of SKUS) start.set(sku, await loms.available(sku));
  const paid = new Map<number, number>(SKUS.map((s) => [s, 0]));
  const serverErrors: string[] = [];
  const until = Date.now() + 5_000;

  const record = (what: string, r: { status: number; text: string }) => {
    if (r.status >= 500) serverErrors.push(`${what} ${r.status} ${r.text}`);
  };
  const oneOrder = async () => {
    const skus = pick();
    const items = skus.map((sku) => ({ sku, count: 1 }));
    const created = await http("POST", `${sys.lomsUrl}/order/create`, { user_id: 1, items });
    record("create", created);
    if (created.status !== 200 || Math.random() < 0.5) return; // refused, or left to expire
    // Pay right around the payment timeout, racing the expiry loop for the order.
    await Bun.sleep(250 + Math.random() * 100);
    const orderId = (created.body as { order_id: number }).order_id;
    const payed = await http("POST", `${sys.lomsUrl}/order/pay`, { order_id: orderId });
    record("pay", payed);
    if (payed.status === 200) for (const sku of skus) paid.set(sku, (paid.get(sku) ?? 0) + 1);
  };
  const worker = async () => {
    while (Date.now() < until) await oneOrder();
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  expect(serverErrors).toEqual([]);

  // Every unpaid order expires within a few intervals; then only paid units are gone.
  const expected = () => SKUS.map((sku) => (start.get(sku) ?? 0) - (paid.get(sku) ?? 0));
  const actual = () => Promise.all(SKUS.map((sku) => loms.available(sku)));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && JSON.stringify(await actual()) !== JSON.stringify(expected())) {
    await Bun.sleep(100);
  }
  expect(await actual()).toEqual(expected());
}, 40_000);
