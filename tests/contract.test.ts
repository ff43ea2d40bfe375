// DESIGN's public contract, end to end through the real gateways over HTTP: cart routes, LOMS
// routes, stock arithmetic, the order lifecycle, and persistence across a restart.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "../platform/db/postgres.ts";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  await sys?.destroy();
});

const BOOK = 1076963; // "Теория нравственных чувств | Смит Адам" 3379, stock 300/35
const CHEF = 1148162; // "Кулинар Гуров" 2931, stock 300/0
const SHOES = 773297411; // "Кроссовки Nike JORDAN" 2202, stock 300/0
const SOLD_OUT = 139819069; // stock 100/100
const OVER_RESERVED = 139818428; // stock 100/101: available clamps at 0

const cart = (user: number, sku?: number) =>
  `${sys.cartUrl}/user/${user}/cart${sku === undefined ? "" : `/${sku}`}`;
const stock = async (sku: number) => (await http("GET", `${sys.lomsUrl}/stock/info?sku=${sku}`)).body;

/** The stock row itself, straight from LOMS' database. */
async function stockRow(sku: number): Promise<{ total: number; reserved: number }> {
  const db = new Database({ url: sys.databaseUrl("loms"), max: 1, applicationName: "contract-test" });
  try {
    const { rows } = await db.query("select total_count, reserved from stocks where sku = $1", [sku]);
    return { total: Number(rows[0]?.[0]), reserved: Number(rows[0]?.[1]) };
  } finally {
    await db.close();
  }
}
const orderInfo = async (id: number) => (await http("GET", `${sys.lomsUrl}/order/info?order_id=${id}`)).body;

describe("cart", () => {
  test("add, list with live names and prices sorted by sku, total", async () => {
    expect(await http("POST", cart(1, CHEF), { count: 1 })).toMatchObject({ status: 200, body: {} });
    expect(await http("POST", cart(1, BOOK), { count: 2 })).toMatchObject({ status: 200, body: {} });
    const list = await http("GET", cart(1));
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      items: [
        { sku: BOOK, name: "Теория нравственных чувств | Смит Адам", count: 2, price: 3379 },
        { sku: CHEF, name: "Кулинар Гуров", count: 1, price: 2931 },
      ],
      total_price: 9689,
    });
  });

  test("adding the same sku again sums counts", async () => {
    await http("POST", cart(2, CHEF), { count: 1 });
    await http("POST", `${sys.cartUrl}/user/2/cart/${CHEF}`, { count: 2 });
    const list = await http("GET", cart(2));
    expect((list.body as { items: { count: number }[] }).items[0]?.count).toBe(3);
  });

  test("unknown SKU is 412 and the cart is unchanged", async () => {
    const res = await http("POST", cart(3, 12345), { count: 1 });
    expect(res.status).toBe(412);
    expect(res.body).toMatchObject({ code: "FAILED_PRECONDITION" });
    expect((await http("GET", cart(3))).status).toBe(404);
  });

  test("stock is compared with what the cart would hold", async () => {
    // BOOK: 300 total − 35 reserved = 265 available.
    expect((await http("POST", cart(4, BOOK), { count: 200 })).status).toBe(200);
    expect((await http("POST", cart(4, BOOK), { count: 66 })).status).toBe(412);
    expect((await http("POST", cart(4, BOOK), { count: 65 })).status).toBe(200);
    expect((await http("POST", cart(4, SOLD_OUT), { count: 1 })).status).toBe(412);
    expect((await http("POST", cart(4, OVER_RESERVED), { count: 1 })).status).toBe(412);
    const list = await http("GET", cart(4));
    expect((list.body as { items: unknown[] }).items).toEqual([
      { sku: BOOK, name: "Теория нравственных чувств | Смит Адам", count: 265, price: 3379 },
    ]);
  });

  test("delete an item: 204, also when absent; the rest stays", async () => {
    await http("POST", cart(5, CHEF), { count: 1 });
    await http("POST", cart(5, SHOES), { count: 1 });
    expect(await http("DELETE", cart(5, CHEF))).toMatchObject({ status: 204, text: "" });
    expect((await http("DELETE", cart(5, CHEF))).status).toBe(204);
    const list = await http("GET", cart(5));
    expect((list.body as { items: { sku: number }[] }).items.map((i) => i.sku)).toEqual([SHOES]);
  });

  test("clear a cart: 204, also when empty; listing an empty cart is 404", async () => {
    await http("POST", cart(6, CHEF), { count: 1 });
    expect((await http("DELETE", cart(6))).status).toBe(204);
    expect((await http("DELETE", cart(6))).status).toBe(204);
    expect(await http("GET", cart(6))).toMatchObject({ status: 404, body: { code: "NOT_FOUND" } });
  });
});

describe("checkout and the order lifecycle", () => {
  test("checkout creates an order awaiting payment, reserves stock, clears the cart", async () => {
    const before = (await stock(SHOES)) as { count: number };
    await http("POST", cart(10, SHOES), { count: 3 });
    await http("POST", cart(10, CHEF), { count: 1 });
    const res = await http("POST", `${sys.cartUrl}/checkout/10`);
    expect(res.status).toBe(200);
    const orderId = (res.body as { order_id: number }).order_id;
    expect(typeof orderId).toBe("number");
    expect((await http("GET", cart(10))).status).toBe(404);
    expect(await orderInfo(orderId)).toEqual({
      status: "awaiting payment",
      user_id: 10,
      items: [
        { sku: CHEF, count: 1 },
        { sku: SHOES, count: 3 },
      ],
    });
    expect(await stock(SHOES)).toEqual({ count: before.count - 3 });
  });

  test("checkout of an empty cart is 404", async () => {
    expect((await http("POST", `${sys.cartUrl}/checkout/11`)).status).toBe(404);
  });

  test("pay: reserved and total drop; paying again is OK; cancelling a payed order is 412", async () => {
    const created = await http("POST", `${sys.lomsUrl}/order/create`, {
      user_id: 12,
      items: [{ sku: CHEF, count: 5 }],
    });
    expect(created.status).toBe(200);
    const id = (created.body as { order_id: number }).order_id;
    const afterReserve = (await stock(CHEF)) as { count: number };
    const before = await stockRow(CHEF);
    expect((await http("POST", `${sys.lomsUrl}/order/pay`, { order_id: id })).status).toBe(200);
    // Available stays (a payed order's units were already unavailable); the units leave both
    // the reservation and the total, which only the table shows.
    expect(await stock(CHEF)).toEqual(afterReserve);
    expect(await stockRow(CHEF)).toEqual({ total: before.total - 5, reserved: before.reserved - 5 });
    expect((await orderInfo(id)) as { status: string }).toMatchObject({ status: "payed" });
    expect((await http("POST", `${sys.lomsUrl}/order/pay`, { order_id: id })).status).toBe(200);
    expect((await http("POST", `${sys.lomsUrl}/order/cancel`, { order_id: id })).status).toBe(412);
  });

  test("cancel releases the reservation; cancelling twice is OK; paying a cancelled order is 412", async () => {
    const initial = (await stock(SHOES)) as { count: number };
    const created = await http("POST", `${sys.lomsUrl}/order/create`, {
      userId: 13,
      items: [{ sku: SHOES, count: 4 }],
    });
    const id = (created.body as { order_id: number }).order_id;
    expect(await stock(SHOES)).toEqual({ count: initial.count - 4 });
    expect((await http("POST", `${sys.lomsUrl}/order/cancel`, { order_id: id })).status).toBe(200);
    expect(await stock(SHOES)).toEqual(initial);
    expect((await http("POST", `${sys.lomsUrl}/order/cancel`, { order_id: id })).status).toBe(200);
    expect((await orderInfo(id)) as { status: string }).toMatchObject({ status: "cancelled" });
    expect((await http("POST", `${sys.lomsUrl}/order/pay`, { order_id: id })).status).toBe(412);
  });

  test("not enough stock: 412, the order is kept as failed, stock untouched", async () => {
    const initial = await stock(CHEF);
    const res = await http("POST", `${sys.lomsUrl}/order/create`, {
      user_id: 14,
      items: [
        { sku: CHEF, count: 1 },
        { sku: SOLD_OUT, count: 1 },
      ],
    });
    expect(res).toMatchObject({ status: 412, body: { code: "FAILED_PRECONDITION" } });
    const failedId = Number(/order (\d+)/.exec((res.body as { message: string }).message)?.[1]);
    expect((await orderInfo(failedId)) as { status: string }).toMatchObject({ status: "failed" });
    expect(await stock(CHEF)).toEqual(initial);
    expect((await http("POST", `${sys.lomsUrl}/order/cancel`, { order_id: failedId })).status).toBe(412);
  });

  test("checkout that LOMS refuses is 412 and keeps the cart", async () => {
    const { count } = (await stock(SHOES)) as { count: number };
    await http("POST", cart(15, SHOES), { count });
    // Someone else buys one first: the cart now wants more than LOMS can reserve.
    await http("POST", `${sys.lomsUrl}/order/create`, { user_id: 16, items: [{ sku: SHOES, count: 1 }] });
    expect((await http("POST", `${sys.cartUrl}/checkout/15`)).status).toBe(412);
    expect((await http("GET", cart(15))).status).toBe(200);
  });

  test("unknown order and unknown stock are 404", async () => {
    expect((await http("GET", `${sys.lomsUrl}/order/info?order_id=999999`)).status).toBe(404);
    expect((await http("POST", `${sys.lomsUrl}/order/pay`, { order_id: 999999 })).status).toBe(404);
    expect((await http("POST", `${sys.lomsUrl}/order/cancel`, { order_id: 999999 })).status).toBe(404);
    expect((await http("GET", `${sys.lomsUrl}/stock/info?sku=424242`)).status).toBe(404);
  });

  test("available stock is total − reserved, clamped at 0", async () => {
    expect(await stock(OVER_RESERVED)).toEqual({ count: 0 });
    expect(await stock(SOLD_OUT)).toEqual({ count: 0 });
    expect(await stock(2956315)).toEqual({ count: 270 });
  });
});

describe("persistence", () => {
  test("carts and orders survive a restart", async () => {
    await http("POST", cart(20, CHEF), { count: 2 });
    const created = await http("POST", `${sys.lomsUrl}/order/create`, {
      user_id: 20,
      items: [{ sku: CHEF, count: 1 }],
    });
    const id = (created.body as { order_id: number }).order_id;
    sys = await sys.restart();
    expect((await http("GET", cart(20))).status).toBe(200);
    expect((await orderInfo(id)) as { status: string }).toMatchObject({ status: "awaiting payment" });
  });
});
