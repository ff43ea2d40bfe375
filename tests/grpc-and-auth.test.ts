// The cart over gRPC (not only the gateway), and the caller's token travelling from the
// gateway/metadata through cart to the product service.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { CartService } from "../gen/proto/cart/v1/cart_pb.ts";
import { createGrpcClient, type GrpcClient } from "../platform/grpc/client.ts";
import { backgroundCtx } from "../platform/rpc/context.ts";
import { withValue } from "../platform/rpc/context-values.ts";
import { authTokenKey } from "../platform/rpc/interceptors/auth-token.ts";
import { codeOf } from "./support/code-of.ts";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

let sys: TestSystem;
let cart: GrpcClient<typeof CartService>;
beforeAll(async () => {
  sys = await startTestSystem({ PRODUCT_MOCK_TOKENS: "testtoken,user-token" });
  cart = createGrpcClient(CartService, { address: `127.0.0.1:${sys.ports.cart.grpc}` });
});
afterAll(async () => {
  cart?.close();
  await sys?.destroy();
});

const ctx = backgroundCtx();

test("add, list and checkout over gRPC", async () => {
  await cart.addItem({ userId: 1n, skuId: 1148162n, count: 2 }, ctx);
  const list = await cart.listCart({ userId: 1n }, ctx);
  expect(list.items.map((i) => [i.sku, i.name, i.count, i.price])).toEqual([
    [1148162n, "Кулинар Гуров", 2, 2931],
  ]);
  expect(list.totalPrice).toBe(5862n);
  const { orderId } = await cart.checkout({ userId: 1n }, ctx);
  expect(orderId > 0n).toBe(true);
});

test("gRPC errors carry the codes of the contract", async () => {
  expect(await codeOf(cart.addItem({ userId: 0n, skuId: 1n, count: 1 }, ctx))).toBe("INVALID_ARGUMENT");
  expect(await codeOf(cart.addItem({ userId: 1n, skuId: 12345n, count: 1 }, ctx))).toBe(
    "FAILED_PRECONDITION",
  );
  expect(await codeOf(cart.listCart({ userId: 99n }, ctx))).toBe("NOT_FOUND");
});

test("the caller's x-auth-token is sent on to the product service", async () => {
  const url = `${sys.cartUrl}/user/5/cart/1148162`;
  expect((await http("POST", url, { count: 1 }, { "x-auth-token": "user-token" })).status).toBe(200);
  const refused = await http("POST", url, { count: 1 }, { "x-auth-token": "stolen" });
  expect(refused).toMatchObject({ status: 401, body: { code: "UNAUTHENTICATED" } });
  const viaGrpc = cart.addItem(
    { userId: 5n, skuId: 1148162n, count: 1 },
    withValue(ctx, authTokenKey, "stolen"),
  );
  expect(await codeOf(viaGrpc)).toBe("UNAUTHENTICATED");
});

test("Swagger UI and the OpenAPI document are served at /docs", async () => {
  const page = await fetch(`${sys.cartUrl}/docs`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("swagger-ui-bundle.js");
  const doc = (await http("GET", `${sys.lomsUrl}/docs/openapi.json`)).body as {
    paths: Record<string, unknown>;
  };
  expect(Object.keys(doc.paths).sort()).toEqual([
    "/order/cancel",
    "/order/create",
    "/order/info",
    "/order/pay",
    "/stock/info",
  ]);
  expect((await fetch(`${sys.cartUrl}/docs/swagger-ui-bundle.js`)).status).toBe(200);
});
