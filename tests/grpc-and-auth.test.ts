// The cart over gRPC (not only the gateway), and the caller's token travelling from the
// gateway/metadata through cart to the product service.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { CartService } from "../gen/proto/cart/v1/cart_pb.ts";
import { createGrpcClient, type GrpcClient } from "../platform/grpc/client.ts";
import { backgroundCtx } from "../platform/rpc/context.ts";
import { authTokenKey, withValue } from "../platform/rpc/context-values.ts";
import { sendAuthTokenInterceptor } from "../platform/rpc/interceptors/auth-token.ts";
import { codeOf } from "./support/code-of.ts";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

let sys: TestSystem;
let cart: GrpcClient<typeof CartService>;
beforeAll(async () => {
  sys = await startTestSystem({ PRODUCT_MOCK_TOKENS: "testtoken,user-token" });
  cart = createGrpcClient(CartService, {
    address: `127.0.0.1:${sys.ports.cart.grpc}`,
    interceptors: [sendAuthTokenInterceptor],
  });
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
  expect((await fetch(`${sys.productUrl}/docs`)).status).toBe(200);
  expect((await http("GET", `${sys.productUrl}/docs/openapi.json`)).body).toMatchObject({
    paths: { "/get_product": {}, "/list_skus": {} },
  });
});

test("the documented examples are requests the gateway accepts (what Try it out sends)", async () => {
  // biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
  const doc = (await http("GET", `${sys.cartUrl}/docs/openapi.json`)).body as any;
  const addItem = doc.paths["/user/{user_id}/cart/{sku_id}"].post;
  const [userId, skuId] = ["user_id", "sku_id"].map(
    (name) => addItem.parameters.find((p: { name: string }) => p.name === name).example,
  );
  const properties = addItem.requestBody.content["application/json"].schema.properties;
  const body = Object.fromEntries(
    Object.entries(properties).map(([k, v]) => [k, (v as { example: unknown }).example]),
  );
  const added = await http("POST", `${sys.cartUrl}/user/${userId}/cart/${skuId}`, body);
  expect(added.status).toBe(200);
  const listed = await http("GET", `${sys.cartUrl}/user/${userId}/cart`);
  expect(listed.body).toMatchObject({ items: [{ sku: skuId, count: body.count }] });
  await http("DELETE", `${sys.cartUrl}/user/${userId}/cart`);
});
