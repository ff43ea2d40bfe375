// The in-process channel: a client with `inProcess: true` reaches a service of the same process
// without a socket, through the same server chain (validation, metrics), with the caller's
// token, request id, cancellation and deadline; and goes back to the socket once that service
// stops.

import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { ProductService } from "../../gen/proto/product/v1/product_pb.ts";
import { codeOf } from "../../tests/support/code-of.ts";
import { createGrpcClient, type GrpcClient } from "../grpc/client.ts";
import { createLogger } from "../observability/logger.ts";
import { bindService, type ServiceImpl } from "../rpc/call.ts";
import { backgroundCtx, type Ctx, sleep } from "../rpc/context.ts";
import { authTokenKey, getValue, requestIdKey, withValue } from "../rpc/context-values.ts";
import { sendAuthTokenInterceptor } from "../rpc/interceptors/auth-token.ts";
import { type RunningService, startService } from "../service.ts";

type Impl = ServiceImpl<typeof ProductService>;
let behaviour: Impl["getProduct"];
let seen: Ctx | undefined;
const impl: Impl = {
  getProduct: (req, ctx) => {
    seen = ctx;
    return behaviour(req, ctx);
  },
  listSkus: async () => ({ skus: [] }),
};

let service: RunningService;
let client: GrpcClient<typeof ProductService>;
beforeAll(async () => {
  service = await startService({
    name: "inproc-test",
    logger: createLogger("inproc-test"),
    host: "127.0.0.1",
    httpPort: 0,
    grpcPort: 0,
    bindings: [bindService(ProductService, impl)],
  });
  client = createGrpcClient(ProductService, {
    address: `127.0.0.1:${service.grpcPort}`,
    timeoutMs: 2_000,
    inProcess: true,
    // A product-service client sends the caller's token on, as cart's does.
    interceptors: [sendAuthTokenInterceptor],
  });
});
afterAll(async () => {
  client?.close();
  await service?.stop(500);
});
beforeEach(() => {
  seen = undefined;
  behaviour = async (req) => ({ name: `product ${req.sku}`, price: 7 });
});

test("a call runs the server chain in-process, with the caller's token and request id", async () => {
  const reply = await client.getProduct(
    { token: "t", sku: 42n },
    withValue(withValue(backgroundCtx(), authTokenKey, "tok"), requestIdKey, "r1"),
  );
  expect(reply).toMatchObject({ name: "product 42", price: 7 });
  expect(seen && getValue(seen, authTokenKey)).toBe("tok");
  expect(seen && getValue(seen, requestIdKey)).toBe("r1");
  const metrics = await service.registry.metrics();
  expect(metrics).toMatch(
    /grpc_server_handled_total\{grpc_type="unary",grpc_service="product.v1.ProductService",grpc_method="GetProduct",grpc_code="OK"[^}]*\} 1/,
  );
});

test("validation applies as over the wire: sku 0 is INVALID_ARGUMENT before the handler", async () => {
  expect(await codeOf(client.getProduct({ token: "t", sku: 0n }, backgroundCtx()))).toBe("INVALID_ARGUMENT");
  expect(seen).toBeUndefined();
});

test("errors keep their code; the caller's cancellation and deadline reach the handler", async () => {
  behaviour = async () => {
    throw new Error("boom");
  };
  expect(await codeOf(client.getProduct({ token: "t", sku: 1n }, backgroundCtx()))).toBe("INTERNAL");

  behaviour = async (_req, ctx) => {
    await sleep(5_000, ctx.signal);
    return { name: "late", price: 1 };
  };
  const caller = new AbortController();
  const pending = client.getProduct({ token: "t", sku: 1n }, backgroundCtx(caller.signal));
  await sleep(20);
  caller.abort(new Error("caller left"));
  await expect(pending).rejects.toThrow();
  expect(seen?.signal.aborted).toBe(true);

  const ctx = { ...backgroundCtx(), deadline: Date.now() + 50 };
  expect(await codeOf(client.getProduct({ token: "t", sku: 1n }, ctx))).toBe("DEADLINE_EXCEEDED");
});

test("once the service stops, calls go to the socket (and find nobody)", async () => {
  const other = await startService({
    name: "inproc-stopped",
    logger: createLogger("inproc-test"),
    host: "127.0.0.1",
    httpPort: 0,
    grpcPort: 0,
    bindings: [bindService(ProductService, impl)],
  });
  const c = createGrpcClient(ProductService, {
    address: `127.0.0.1:${other.grpcPort}`,
    timeoutMs: 1_000,
    inProcess: true,
  });
  expect((await c.getProduct({ token: "t", sku: 3n }, backgroundCtx())).name).toBe("product 3");
  await other.stop(200);
  expect(await codeOf(c.getProduct({ token: "t", sku: 3n }, backgroundCtx()))).toBe("UNAVAILABLE");
  c.close();
});
