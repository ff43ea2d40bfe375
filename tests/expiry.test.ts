// Orders left unpaid past the payment timeout are cancelled by LOMS' background loop and their
// stock released; payed orders are left alone. The timeout is shortened to keep the test quick.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { lomsGateway } from "./support/loms.ts";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem({ LOMS_PAYMENT_TIMEOUT_MS: "400", LOMS_EXPIRY_INTERVAL_MS: "100" });
}, 60_000);
afterAll(async () => {
  await sys?.destroy();
});

const SKU = 2958025; // 300 available

async function create(count: number): Promise<number> {
  const res = await http("POST", `${sys.lomsUrl}/order/create`, { user_id: 1, items: [{ sku: SKU, count }] });
  expect(res.status).toBe(200);
  return (res.body as { order_id: number }).order_id;
}

const loms = lomsGateway(() => sys.lomsUrl);
const { status } = loms;
const available = () => loms.available(SKU);

test("an unpaid order is cancelled after the timeout and its reservation released", async () => {
  const unpaid = await create(5);
  const payed = await create(7);
  expect((await http("POST", `${sys.lomsUrl}/order/pay`, { order_id: payed })).status).toBe(200);
  expect(await available()).toBe(300 - 5 - 7);

  const deadline = Date.now() + 10_000;
  while ((await status(unpaid)) !== "cancelled" && Date.now() < deadline) await Bun.sleep(100);

  expect(await status(unpaid)).toBe("cancelled");
  expect(await status(payed)).toBe("payed");
  expect(await available()).toBe(300 - 7);
}, 20_000);

test("a checkout key whose order expired is spent: a repeat is 409, not the expired order", async () => {
  const body = { user_id: 2, items: [{ sku: SKU, count: 1 }], checkout_key: "expiry-key-1" };
  const first = await http("POST", `${sys.lomsUrl}/order/create`, body);
  expect(first.status).toBe(200);
  const expired = (first.body as { order_id: number }).order_id;
  const deadline = Date.now() + 10_000;
  while ((await status(expired)) !== "cancelled" && Date.now() < deadline) await Bun.sleep(100);
  expect(await status(expired)).toBe("cancelled");
  const before = await available();

  const repeat = await http("POST", `${sys.lomsUrl}/order/create`, body);
  expect(repeat.status).toBe(409);
  expect(repeat.body).toMatchObject({ code: "ALREADY_EXISTS" });
  expect((repeat.body as { message: string }).message).toContain(`order ${expired}, since cancelled`);
  expect(await available()).toBe(before);
}, 20_000);
