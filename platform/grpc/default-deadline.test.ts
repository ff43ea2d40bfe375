// A gRPC call that arrives with no deadline (grpcurl, a client without one) gets the service's
// default, so neither the handler nor the server's resources wait forever: over a real socket,
// with a plain grpc-js client that sends no grpc-timeout.

import { afterAll, beforeAll, expect, test } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import { ProductService } from "../../gen/proto/product/v1/product_pb.ts";
import { createLogger } from "../observability/logger.ts";
import { bindService } from "../rpc/call.ts";
import type { AppError } from "../rpc/errors.ts";
import { type RunningService, startService } from "../service.ts";

const DEFAULT_MS = 300;
let handlerSaw: unknown[] = [];
let service: RunningService;
beforeAll(async () => {
  service = await startService({
    name: "default-deadline-test",
    logger: createLogger("default-deadline-test"),
    host: "127.0.0.1",
    httpPort: 0,
    grpcPort: 0,
    defaultTimeoutMs: DEFAULT_MS,
    bindings: [
      bindService(ProductService, {
        // sku 1: waits for its signal; sku 2: ignores it and answers after 3 s; sku 3: 600 ms.
        getProduct: async (req, ctx) => {
          if (req.sku === 1n) {
            await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
            handlerSaw.push(ctx.signal.reason);
            throw ctx.signal.reason;
          }
          await Bun.sleep(req.sku === 2n ? 3_000 : 600);
          return { name: "late", price: 1 };
        },
        listSkus: async () => ({ skus: [] }),
      }),
    ],
  });
});
afterAll(() => service?.stop(1_000));

/** GetProduct with sku `sku`, with a deadline only when `deadlineMs` is given. */
function call(sku: number, deadlineMs?: number): Promise<{ code: grpc.status; ms: number }> {
  const client = new grpc.Client(`127.0.0.1:${service.grpcPort}`, grpc.credentials.createInsecure());
  const started = performance.now();
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      "/product.v1.ProductService/GetProduct",
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from([0x10, sku]),
      new grpc.Metadata(),
      deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs },
      (err) => {
        client.close();
        resolve({ code: err?.code ?? grpc.status.OK, ms: performance.now() - started });
      },
    );
  });
}

test("a call with no deadline is cut at the service's default, and the handler's signal says so", async () => {
  handlerSaw = [];
  const { code, ms } = await call(1);
  expect(code).toBe(grpc.status.DEADLINE_EXCEEDED);
  expect(ms).toBeGreaterThanOrEqual(DEFAULT_MS - 20);
  expect(ms).toBeLessThan(2_000);
  expect(handlerSaw).toHaveLength(1);
  expect((handlerSaw[0] as AppError).code).toBe("DEADLINE_EXCEEDED");
  expect((handlerSaw[0] as AppError).message).toContain("default");
}, 5_000);

test("a handler that ignores its signal still cannot hold a call without deadline past the default", async () => {
  const { code, ms } = await call(2);
  expect(code).toBe(grpc.status.DEADLINE_EXCEEDED);
  expect(ms).toBeLessThan(2_000);
}, 5_000);

test("a caller's own deadline, longer than the default, is kept", async () => {
  const { code } = await call(3, 2_000);
  expect(code).toBe(grpc.status.OK);
}, 5_000);
