// The whole purchase path on the real stack (make stack-up && make stack-run), through the HTTP
// gateways of the separately running services: add to cart, list, checkout, pay, cancel, and
// the stock numbers at each step. Stack data persists between runs, so users are fresh and
// stock is compared relative to what it was.

import { expect, test } from "bun:test";
import { lomsGateway } from "./support/loms.ts";
import { http } from "./support/system.ts";

const CART = process.env.CART_URL ?? "http://127.0.0.1:8082";
const LOMS = process.env.LOMS_URL ?? "http://127.0.0.1:8084";
const BOOK = 1076963;
const CHEF = 1148162;
const user = 1_000_000 + Math.floor(Math.random() * 1_000_000);

const { available, status } = lomsGateway(() => LOMS);

test("every service is ready", async () => {
  for (const port of [8082, 8083, 8084]) {
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  }
});

test("add → list → checkout → pay, and a second order → cancel, with stock at every step", async () => {
  const book0 = await available(BOOK);
  const chef0 = await available(CHEF);

  expect((await http("POST", `${CART}/user/${user}/cart/${BOOK}`, { count: 2 })).status).toBe(200);
  expect((await http("POST", `${CART}/user/${user}/cart/${CHEF}`, { count: 1 })).status).toBe(200);
  expect((await http("GET", `${CART}/user/${user}/cart`)).body).toEqual({
    items: [
      { sku: BOOK, name: "Теория нравственных чувств | Смит Адам", count: 2, price: 3379 },
      { sku: CHEF, name: "Кулинар Гуров", count: 1, price: 2931 },
    ],
    total_price: 9689,
  });

  const first = (await http("POST", `${CART}/checkout/${user}`)).body as { order_id: number };
  expect(await status(first.order_id)).toBe("awaiting payment");
  expect((await http("GET", `${CART}/user/${user}/cart`)).status).toBe(404);
  expect(await available(BOOK)).toBe(book0 - 2);
  expect(await available(CHEF)).toBe(chef0 - 1);

  expect((await http("POST", `${LOMS}/order/pay`, { order_id: first.order_id })).status).toBe(200);
  expect(await status(first.order_id)).toBe("payed");
  expect(await available(BOOK)).toBe(book0 - 2); // reserved and total both dropped

  expect((await http("POST", `${CART}/user/${user}/cart/${CHEF}`, { count: 3 })).status).toBe(200);
  const second = (await http("POST", `${CART}/checkout/${user}`)).body as { order_id: number };
  expect(await available(CHEF)).toBe(chef0 - 1 - 3);
  expect((await http("POST", `${LOMS}/order/cancel`, { order_id: second.order_id })).status).toBe(200);
  expect(await status(second.order_id)).toBe("cancelled");
  expect(await available(CHEF)).toBe(chef0 - 1);

  expect((await http("POST", `${LOMS}/order/cancel`, { order_id: first.order_id })).status).toBe(412);
});

test("bad input on the stack is a 4xx too", async () => {
  expect((await http("POST", `${CART}/user/0/cart/${BOOK}`, { count: 1 })).status).toBe(400);
  expect((await http("POST", `${CART}/user/${user}/cart/${BOOK}`, "{broken")).status).toBe(400);
  expect((await http("GET", `${LOMS}/order/info?order_id=abc`)).status).toBe(400);
});
