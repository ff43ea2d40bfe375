// The expiry loop runs against concurrent creates and pays on overlapping SKUs: every call ends
// in one of the answers the contract allows (a create 200 or 412 for stock; a pay 200, or 412
// once the order has expired) — no 5xx (a deadlock between an expiry batch and a create used to
// answer 500) and no 409 (a transaction that kept losing its retries); both sides of the race
// happen; and once every unpaid order has expired the stock arithmetic is exact: available =
// start − paid units, each paid order reads `payed` and each refused pay's order `cancelled`.

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

test("expiry, creates and pays on overlapping SKUs for seconds: only allowed answers, exact stock", async () => {
  const start = new Map<number, number>();
  for (const sku of SKUS) start.set(sku, await loms.available(sku));
  const paid = new Map<number, number>(SKUS.map((s) => [s, 0]));
  const unexpected: string[] = [];
  const paidOrders: number[] = [];
  const expiredOrders: number[] = [];
  const until = Date.now() + 5_000;

  const allowed = (what: string, r: { status: number; text: string }, statuses: number[]) => {
    if (!statuses.includes(r.status)) unexpected.push(`${what} ${r.status} ${r.text}`);
  };
  const oneOrder = async () => {
    const skus = pick();
    const items = skus.map((sku) => ({ sku, count: 1 }));
    const created = await http("POST", `${sys.lomsUrl}/order/create`, { user_id: 1, items });
    allowed("create", created, [200, 412]);
    if (created.status !== 200 || Math.random() < 0.5) return; // refused, or left to expire
    // Pay right around the payment timeout, racing the expiry loop for the order.
    await Bun.sleep(250 + Math.random() * 100);
    const orderId = (created.body as { order_id: number }).order_id;
    const payed = await http("POST", `${sys.lomsUrl}/order/pay`, { order_id: orderId });
    allowed("pay", payed, [200, 412]);
    if (payed.status === 200) {
      paidOrders.push(orderId);
      for (const sku of skus) paid.set(sku, (paid.get(sku) ?? 0) + 1);
    } else if (payed.status === 412) expiredOrders.push(orderId);
  };
  const worker = async () => {
    while (Date.now() < until) await oneOrder();
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  expect(unexpected).toEqual([]);
  // The race ran both ways: some pays beat the expiry loop, some came after it.
  expect(paidOrders.length).toBeGreaterThan(0);
  expect(expiredOrders.length).toBeGreaterThan(0);
  for (const id of paidOrders) expect([id, await loms.status(id)]).toEqual([id, "payed"]);
  for (const id of expiredOrders) expect([id, await loms.status(id)]).toEqual([id, "cancelled"]);

  // Every unpaid order expires within a few intervals; then only paid units are gone.
  const expected = () => SKUS.map((sku) => (start.get(sku) ?? 0) - (paid.get(sku) ?? 0));
  const actual = () => Promise.all(SKUS.map((sku) => loms.available(sku)));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && JSON.stringify(await actual()) !== JSON.stringify(expected())) {
    await Bun.sleep(100);
  }
  expect(await actual()).toEqual(expected());
}, 40_000);
