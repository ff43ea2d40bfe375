// Metadata travels with no transport knowing its name: a `traceparent` interceptor pair defined
// only here (server side: header → context value; client side: context value → header) carries
// the header from a caller through service A (over gRPC, and over its HTTP gateway) into service
// B's server interceptors, over real sockets. This is how W3C trace context will travel.

import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { ProductService } from "../../../gen/proto/product/v1/product_pb.ts";
import { type ServicePair, startServicePair } from "../../../tests/support/service-pair.ts";
import { createGrpcClient } from "../../grpc/client.ts";
import { createLogger } from "../../observability/logger.ts";
import type { RunningService } from "../../service.ts";
import type { Interceptor } from "../call.ts";
import { backgroundCtx } from "../context.ts";
import { createContextKey, getValue, requestIdKey, withValue } from "../context-values.ts";

const traceKey = createContextKey<string | undefined>(undefined, "traceparent");
const traceInterceptor: Interceptor = (next) => (req, call) => {
  if (call.side === "server") {
    const value = call.header.get("traceparent") ?? undefined;
    return next(req, value ? { ...call, ctx: withValue(call.ctx, traceKey, value) } : call);
  }
  const value = getValue(call.ctx, traceKey);
  if (value) call.header.set("traceparent", value);
  return next(req, call);
};

let seenByB: { header: string | null; requestId?: string }[] = [];
const recordHeader: Interceptor = (next) => (req, call) => {
  seenByB.push({ header: call.header.get("traceparent"), requestId: getValue(call.ctx, requestIdKey) });
  return next(req, call);
};

let pair: ServicePair;
let a: RunningService;
beforeAll(async () => {
  pair = await startServicePair({
    logger: createLogger("propagation-test"),
    a: { interceptors: [traceInterceptor] },
    b: { interceptors: [recordHeader] },
    clientInterceptors: [traceInterceptor],
  });
  a = pair.a;
});
afterAll(() => pair?.stop());
beforeEach(() => {
  seenByB = [];
});

test("a header set by a client interceptor reaches the next service's server interceptor through gRPC", async () => {
  const caller = createGrpcClient(ProductService, {
    address: `127.0.0.1:${a.grpcPort}`,
    interceptors: [traceInterceptor],
  });
  try {
    const ctx = withValue(withValue(backgroundCtx(), traceKey, "00-grpc-01"), requestIdKey, "rid-grpc");
    expect((await caller.getProduct({ sku: 1n }, ctx)).name).toBe("from b");
  } finally {
    caller.close();
  }
  expect(seenByB).toEqual([{ header: "00-grpc-01", requestId: "rid-grpc" }]);
});

test("a header sent to the HTTP gateway reaches the next service's server interceptor", async () => {
  const res = await fetch(`http://127.0.0.1:${a.httpPort}/get_product`, {
    method: "POST",
    headers: { "content-type": "application/json", traceparent: "00-http-01", "x-request-id": "rid-http" },
    body: JSON.stringify({ sku: 1 }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("x-request-id")).toBe("rid-http");
  expect(seenByB).toEqual([{ header: "00-http-01", requestId: "rid-http" }]);
});

test("without the header nothing is invented, and the request id is made up once and sent on", async () => {
  const res = await fetch(`http://127.0.0.1:${a.httpPort}/get_product`, {
    method: "POST",
    body: JSON.stringify({ sku: 1 }),
  });
  expect(res.status).toBe(200);
  const id = res.headers.get("x-request-id");
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  expect(seenByB).toEqual([{ header: null, requestId: id ?? "" }]);
});
