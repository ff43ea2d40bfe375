// A dependency's error is translated by the adapter that calls it, so users see what it means for
// them: cart's own product-service token being refused is cart's fault (500), not the user's
// (401); the user's own token being refused stays 401.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem({
    PRODUCT_MOCK_TOKENS: "user-token",
    CART_PRODUCT_TOKEN: "cart-token-not-accepted",
  });
}, 60_000);
afterAll(async () => {
  await sys?.destroy();
});

test("cart's own token refused by the product service is INTERNAL (500), never 401", async () => {
  const url = `${sys.cartUrl}/user/5/cart/1148162`;
  const refused = await http("POST", url, { count: 1 });
  expect(refused).toMatchObject({ status: 500, body: { code: "INTERNAL" } });
  expect(refused.text).not.toContain("cart-token-not-accepted");
});

test("the caller's own token refused is still 401, and accepted works", async () => {
  const url = `${sys.cartUrl}/user/5/cart/1148162`;
  expect(await http("POST", url, { count: 1 }, { "x-auth-token": "bad" })).toMatchObject({
    status: 401,
    body: { code: "UNAUTHENTICATED" },
  });
  expect((await http("POST", url, { count: 1 }, { "x-auth-token": "user-token" })).status).toBe(200);
});
