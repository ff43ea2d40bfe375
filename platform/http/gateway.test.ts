// The HTTP gateway and the service's HTTP port, over a real socket with fake implementations:
// binding from path, query and body; JSON output shape; status codes; health and metrics.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import type { Message } from "@bufbuild/protobuf";
import { CartService } from "../../gen/proto/cart/v1/cart_pb.ts";
import { LomsService } from "../../gen/proto/loms/v1/loms_pb.ts";
import { createLogger } from "../observability/logger.ts";
import { bindService, type ServiceImpl } from "../rpc/call.ts";
import { AppError } from "../rpc/errors.ts";
import { type RunningService, startService } from "../service.ts";

let received: Message[] = [];
let failWith: AppError | undefined;
let ready = true;
const record = async <T>(req: Message, reply: T): Promise<T> => {
  received.push(req);
  if (failWith) throw failWith;
  return reply;
};

const cart: ServiceImpl<typeof CartService> = {
  addItem: (req) => record(req, {}),
  deleteItem: (req) => record(req, {}),
  clearCart: (req) => record(req, {}),
  listCart: (req) =>
    record(req, { items: [{ sku: 9007199254740991n, name: "n", count: 1, price: 2 }], totalPrice: 0n }),
  checkout: (req) => record(req, { orderId: 5n }),
};
const loms: ServiceImpl<typeof LomsService> = {
  orderCreate: (req) => record(req, { orderId: 1n }),
  orderInfo: (req) => record(req, { status: "new", userId: 3n, items: [] }),
  orderPay: (req) => record(req, {}),
  orderCancel: (req) => record(req, {}),
  stocksInfo: (req) => record(req, { count: 7n }),
};

let svc: RunningService;
let base: string;
beforeAll(async () => {
  svc = await startService({
    name: "gateway-test",
    logger: createLogger("gateway-test"),
    host: "127.0.0.1",
    httpPort: 0,
    grpcPort: 0,
    bindings: [bindService(CartService, cart), bindService(LomsService, loms)],
    readiness: () => {
      // The driver's text (which can name users) must not reach the answer, only the detail.
      if (!ready) throw AppError.unavailable("database down", new Error('auth failed for user "x"'));
    },
    docs: { services: [CartService, LomsService], tokenHeader: true },
  });
  base = `http://127.0.0.1:${svc.httpPort}`;
});
afterAll(async () => {
  await svc?.stop(1_000);
});
beforeEach(() => {
  received = [];
  failWith = undefined;
  ready = true;
});

async function call(method: string, path: string, body?: string | object) {
  const res = await fetch(`${base}${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const isJson = res.headers.get("content-type")?.startsWith("application/json");
  return { status: res.status, text, json: isJson ? JSON.parse(text) : undefined, headers: res.headers };
}

describe("binding", () => {
  test("path variables and body, with either field casing", async () => {
    expect((await call("POST", "/user/7/cart/11", { count: 3 })).status).toBe(200);
    expect((await call("POST", "/user/7/cart/11", { Count: 3 })).status).toBe(400);
    expect(received[0]).toMatchObject({ userId: 7n, skuId: 11n, count: 3 });
    await call("POST", "/order/create", { userId: 2, items: [{ sku: 4, count: 1 }] });
    await call("POST", "/order/create", { user_id: 2, items: [{ sku: "4", count: 1 }] });
    expect(received[1]).toMatchObject({ userId: 2n, items: [{ sku: 4n, count: 1 }] });
    expect(received[2]).toMatchObject({ userId: 2n, items: [{ sku: 4n, count: 1 }] });
  });

  test("the path wins over the body for the same field", async () => {
    await call("POST", "/user/7/cart/11", { count: 1, user_id: 99, skuId: 98 });
    expect(received[0]).toMatchObject({ userId: 7n, skuId: 11n });
  });

  test("query parameters bind on GET", async () => {
    expect((await call("GET", "/order/info?order_id=12")).json).toEqual({
      status: "new",
      user_id: 3,
      items: [],
    });
    expect(received[0]).toMatchObject({ orderId: 12n });
  });
});

describe("replies", () => {
  test("snake_case names, 64-bit integers as JSON numbers, zero values present", async () => {
    const res = await call("GET", "/user/1/cart");
    expect(res.json).toEqual({
      items: [{ sku: 9007199254740991, name: "n", count: 1, price: 2 }],
      total_price: 0,
    });
    expect((await call("POST", "/checkout/1")).json).toEqual({ order_id: 5 });
  });

  test("DELETE with an empty reply is 204 without a body; POST with one is 200 {}", async () => {
    expect(await call("DELETE", "/user/1/cart/2")).toMatchObject({ status: 204, text: "" });
    expect(await call("POST", "/order/pay", { order_id: 1 })).toMatchObject({ status: 200, text: "{}" });
  });

  test("errors are {code, message} with the mapped status", async () => {
    const cases: [AppError, number][] = [
      [AppError.notFound("no such order"), 404],
      [AppError.failedPrecondition("no stock"), 412],
      [AppError.unauthenticated("bad token"), 401],
      [AppError.resourceExhausted("slow down"), 429],
      [AppError.unavailable("db down"), 503],
      [new AppError("DEADLINE_EXCEEDED", "too slow"), 504],
      [AppError.internal("boom"), 500],
    ];
    for (const [err, status] of cases) {
      failWith = err;
      const res = await call("GET", "/order/info?order_id=1");
      expect([err.code, res.status, res.json]).toEqual([
        err.code,
        status,
        { code: err.code, message: err.detail },
      ]);
    }
  });
});

describe("bad input never reaches the handler", () => {
  const cases: [string, string, string | object | undefined, number][] = [
    ["POST", "/user/1/cart/2", "{broken", 400],
    ["POST", "/user/1/cart/2", "[1]", 400],
    ["POST", "/user/1/cart/2", { count: "many" }, 400],
    ["POST", "/user/1/cart/2", { count: 1, extra: 1 }, 400],
    ["POST", "/user/1/cart/2", { count: 0 }, 400],
    ["POST", "/user/abc/cart/2", { count: 1 }, 400],
    ["POST", "/user/%E0%A4%A/cart/2", { count: 1 }, 400],
    ["POST", "/user/99999999999999999999/cart/2", { count: 1 }, 400],
    ["POST", "/user/1/cart/2", { count: 1, pad: "x".repeat(1024 * 1024) }, 413],
    ["GET", "/order/info?order_id=x", undefined, 400],
    ["GET", "/order/info?nope=1", undefined, 400],
    ["GET", "/nowhere", undefined, 404],
  ];
  for (const [method, path, body, status] of cases) {
    test(`${method} ${path.slice(0, 40)} ${JSON.stringify(body)?.slice(0, 30)} → ${status}`, async () => {
      const res = await call(method, path, body);
      expect(res.status).toBe(status);
      expect(typeof res.json.code).toBe("string");
      expect(res.json.message.length).toBeGreaterThan(0);
      expect(received).toEqual([]);
    });
  }

  test("a wrong method on a known path is 405 with Allow", async () => {
    const res = await call("PUT", "/user/1/cart/2", { count: 1 });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST, DELETE");
  });

  test("a body that is not UTF-8 is 400", async () => {
    const res = await fetch(`${base}/user/1/cart/2`, {
      method: "POST",
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
    });
    expect(res.status).toBe(400);
    expect(received).toEqual([]);
  });
});

describe("the service's HTTP port", () => {
  test("healthz, readyz (both ways), metrics after a call, docs", async () => {
    expect((await call("GET", "/healthz")).json).toEqual({ status: "ok" });
    expect((await call("GET", "/readyz")).status).toBe(200);
    ready = false;
    expect(await call("GET", "/readyz")).toMatchObject({
      status: 503,
      json: { status: "not ready", reason: "database down" },
    });
    await call("GET", "/order/info?order_id=3");
    const metrics = (await call("GET", "/metrics")).text;
    // Gateway calls are HTTP traffic, not gRPC server traffic: never counted twice.
    expect(metrics).not.toMatch(/grpc_server_handled_total\{[^}]*OrderInfo/);
    expect(metrics).toMatch(
      /http_requests_total\{handler="\/order\/info",method="GET",code="200"[^}]*\} \d+\n/,
    );
    const doc = (await call("GET", "/docs/openapi.json")).json;
    expect(doc.paths["/user/{user_id}/cart/{sku_id}"].post.requestBody).toBeDefined();
    expect(doc.paths["/user/{user_id}/cart/{sku_id}"].delete.responses["204"]).toBeDefined();
  });
});

describe("the gateway's own timeout", () => {
  test("answers 504 at its timeout even when the handler ignores its signal", async () => {
    let finish = () => {};
    const stubborn = await startService({
      name: "gateway-timeout-test",
      logger: createLogger("gateway-timeout-test"),
      host: "127.0.0.1",
      httpPort: 0,
      grpcPort: 0,
      gateway: { timeoutMs: 200 },
      bindings: [
        bindService(LomsService, {
          ...loms,
          // Never looks at its signal: only the gateway's race can answer on time.
          stocksInfo: () => new Promise((resolve) => (finish = () => resolve({ count: 1n }))),
        }),
      ],
    });
    try {
      const started = performance.now();
      const res = await fetch(`http://127.0.0.1:${stubborn.httpPort}/stock/info?sku=1`);
      expect(res.status).toBe(504);
      expect(((await res.json()) as { code: string }).code).toBe("DEADLINE_EXCEEDED");
      expect(performance.now() - started).toBeLessThan(1_500);
    } finally {
      finish();
      await stubborn.stop(1_000);
    }
  });
});
