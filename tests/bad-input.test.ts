// Bad input of any shape, on every gateway route: a 4xx with a JSON {code, message} body, never
// a 5xx, and nothing changes (the cart, stock and orders are compared before and after).

import { afterAll, beforeAll, expect, test } from "bun:test";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  await sys?.destroy();
});

const SKU = 1148162;
const HUGE = JSON.stringify({ count: 1, pad: "x".repeat(2 * 1024 * 1024) });

type Case = readonly [method: string, path: string, body?: unknown, headers?: Record<string, string>];

function cases(): Case[] {
  const bodies: unknown[] = [
    "{broken",
    "[]",
    "42",
    '"text"',
    "null",
    { count: "abc" },
    { count: -1 },
    { count: 0 },
    { count: 1.5 },
    { count: 1e20 },
    { count: 1, unknown_field: true },
    { count: { nested: 1 } },
    HUGE,
  ];
  const userIds = ["0", "-1", "abc", "1.5", "99999999999999999999", "%zz", "9007199254740993"];
  const out: Case[] = [];
  for (const body of bodies) out.push(["POST", `/user/1/cart/${SKU}`, body]);
  for (const u of userIds) {
    out.push(["POST", `/user/${u}/cart/${SKU}`, { count: 1 }]);
    out.push(["POST", `/user/1/cart/${u}`, { count: 1 }]);
    out.push(["DELETE", `/user/${u}/cart/${SKU}`]);
    out.push(["DELETE", `/user/1/cart/${u}`]);
    out.push(["DELETE", `/user/${u}/cart`]);
    out.push(["GET", `/user/${u}/cart`]);
    out.push(["POST", `/checkout/${u}`]);
  }
  out.push(["GET", "/nowhere"], ["PUT", `/user/1/cart/${SKU}`, { count: 1 }], ["PATCH", "/user/1/cart"]);
  out.push(["POST", "/checkout/1", "{broken"]);
  out.push(["POST", `/user/1/cart/${SKU}`, new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])]);
  return out;
}

function lomsCases(): Case[] {
  return [
    ["POST", "/order/create", "{broken"],
    ["POST", "/order/create", {}],
    ["POST", "/order/create", { user_id: 1, items: [] }],
    ["POST", "/order/create", { user_id: 0, items: [{ sku: SKU, count: 1 }] }],
    ["POST", "/order/create", { user_id: 1, items: [{ sku: SKU, count: 0 }] }],
    ["POST", "/order/create", { user_id: 1, items: [{ sku: -5, count: 1 }] }],
    ["POST", "/order/create", { user_id: 1, items: [{ sku: SKU }] }],
    ["POST", "/order/create", { user_id: 1, items: "nope" }],
    ["POST", "/order/create", { user_id: "x", items: [{ sku: SKU, count: 1 }] }],
    ["POST", "/order/create", HUGE],
    // Checkout keys reach SQL: a NUL (which Postgres text cannot hold), an oversized key and
    // characters outside printable ASCII are refused before any handler runs.
    ["POST", "/order/create", { user_id: 1, items: [{ sku: SKU, count: 1 }], checkout_key: "k\u0000ey" }],
    ["POST", "/order/create", { user_id: 1, items: [{ sku: SKU, count: 1 }], checkout_key: "k".repeat(65) }],
    ["POST", "/order/create", { user_id: 1, items: [{ sku: SKU, count: 1 }], checkout_key: "two words" }],
    ["POST", "/order/create", { user_id: 1, items: [{ sku: SKU, count: 1 }], checkout_key: "ключ\n" }],
    ["POST", "/order/create", { user_id: 1, items: [{ sku: SKU, count: 1 }], checkout_key: "\ud800" }],
    ["GET", "/order/info"],
    ["GET", "/order/info?order_id=abc"],
    ["GET", "/order/info?order_id=-1"],
    ["GET", "/order/info?order_id=1&order_id=2"],
    ["GET", "/order/info?bogus=1"],
    ["POST", "/order/pay", {}],
    ["POST", "/order/pay", { order_id: "1; drop table orders" }],
    ["POST", "/order/cancel", { order_id: 0 }],
    ["GET", "/stock/info"],
    ["GET", "/stock/info?sku=0"],
    ["GET", "/stock/info?sku=1e3"],
    ["POST", "/stock/info?sku=1"],
  ];
}

/** The notifications query's one input, order_id, reaches SQL only as a safe positive integer. */
function notificationsCases(): Case[] {
  return ["", "?order_id=", "?order_id=1%00", "?order_id=%00", "?order_id=0", "?order_id=-1", "?order_id=1e3"]
    .concat(["?order_id=9999999999999999", "?order_id=99999999999999999999", "?order_id=1&order_id=2"])
    .map((query) => ["GET", `/notifications${query}`] as const);
}

async function snapshot() {
  const cart = await http("GET", `${sys.cartUrl}/user/1/cart`);
  const stock = await http("GET", `${sys.lomsUrl}/stock/info?sku=${SKU}`);
  const order = await http("GET", `${sys.lomsUrl}/order/info?order_id=1`);
  return { cart: cart.body, stock: stock.body, order: order.body };
}

test("every malformed request gets a 4xx JSON error and changes nothing", async () => {
  expect((await http("POST", `${sys.cartUrl}/user/1/cart/${SKU}`, { count: 2 })).status).toBe(200);
  expect(
    (await http("POST", `${sys.lomsUrl}/order/create`, { user_id: 1, items: [{ sku: SKU, count: 1 }] }))
      .status,
  ).toBe(200);
  const before = await snapshot();

  const all = [
    ...cases().map((c) => [sys.cartUrl, ...c] as const),
    ...lomsCases().map((c) => [sys.lomsUrl, ...c] as const),
    ...notificationsCases().map((c) => [sys.notificationsUrl, ...c] as const),
  ];
  const failures: string[] = [];
  for (const [base, method, path, body] of all) {
    const res = await http(method, `${base}${path}`, body);
    const json = res.body as { code?: unknown; message?: unknown } | null;
    const ok =
      res.status >= 400 &&
      res.status < 500 &&
      typeof json?.code === "string" &&
      typeof json.message === "string" &&
      json.message !== "";
    if (!ok)
      failures.push(
        `${method} ${path} ${(typeof body === "string" ? body : (JSON.stringify(body) ?? "")).slice(0, 100)} → ${res.status} ${res.text.slice(0, 120)}`,
      );
  }
  expect(failures).toEqual([]);
  expect(await snapshot()).toEqual(before);
});

test("a clear message names the offending field", async () => {
  const res = await http("POST", `${sys.cartUrl}/user/1/cart/${SKU}`, { count: 0 });
  expect(res.status).toBe(400);
  expect((res.body as { message: string }).message).toContain("count");
  const neg = await http("GET", `${sys.cartUrl}/user/-3/cart`);
  expect((neg.body as { message: string }).message).toContain("user_id");
  const key = await http("POST", `${sys.lomsUrl}/order/create`, {
    user_id: 1,
    items: [{ sku: SKU, count: 1 }],
    checkout_key: "k\u0000",
  });
  expect(key).toMatchObject({ status: 400, body: { code: "INVALID_ARGUMENT" } });
  expect((key.body as { message: string }).message).toContain("checkout_key");
});
