// The protobuf-es ↔ grpc-js bridge over a real socket: round trips, error codes both ways,
// messages over 64 KiB, cancellation and deadlines reaching the handler, metadata, malformed
// bytes, and validation before the handler.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import { ProductService } from "../../gen/proto/product/v1/product_pb.ts";
import { codeOf } from "../../tests/support/code-of.ts";
import { bindService, type ServiceImpl } from "../rpc/call.ts";
import { backgroundCtx, type Ctx } from "../rpc/context.ts";
import { authTokenKey, getValue, requestIdKey, withValue } from "../rpc/context-values.ts";
import { AppError } from "../rpc/errors.ts";
import { buildHandlers } from "../rpc/handlers.ts";
import { sendAuthTokenInterceptor } from "../rpc/interceptors/auth-token.ts";
import { metadataInterceptors } from "../rpc/interceptors/metadata.ts";
import { validationInterceptor } from "../rpc/interceptors/validation.ts";
import { createGrpcClient, type GrpcClient } from "./client.ts";
import { type GrpcServer, startGrpcServer } from "./server.ts";

type Impl = ServiceImpl<typeof ProductService>;
let behaviour: Impl["getProduct"];
let seen: { ctx?: Ctx; calls: number } = { calls: 0 };

const impl: Impl = {
  getProduct: (req, ctx) => {
    seen.calls++;
    seen.ctx = ctx;
    return behaviour(req, ctx);
  },
  async listSkus(req) {
    return { skus: Array.from({ length: req.count }, (_, i) => BigInt(1_000_000_000 + i)) };
  },
};

let server: GrpcServer;
let client: GrpcClient<typeof ProductService>;
beforeAll(async () => {
  server = await startGrpcServer(
    buildHandlers([bindService(ProductService, impl)], [...metadataInterceptors, validationInterceptor]),
    "127.0.0.1",
    0,
  );
  client = createGrpcClient(ProductService, { address: `127.0.0.1:${server.port}`, timeoutMs: 5_000 });
});
afterAll(async () => {
  client?.close();
  await server?.shutdown(1_000);
});
beforeEach(() => {
  seen = { calls: 0 };
  behaviour = async (req) => ({ name: `product ${req.sku}`, price: 100 });
});

describe("round trip", () => {
  test("a request reaches the handler and the reply comes back typed", async () => {
    const reply = await client.getProduct({ token: "t", sku: 42n }, backgroundCtx());
    expect(reply.name).toBe("product 42");
    expect(reply.price).toBe(100);
  });

  test("messages over 64 KiB travel both ways", async () => {
    behaviour = async (req) => ({ name: req.token.toUpperCase(), price: 1 });
    const token = "x".repeat(200 * 1024);
    expect((await client.getProduct({ token, sku: 1n }, backgroundCtx())).name.length).toBe(token.length);
    expect((await client.listSkus({ token: "t", count: 30_000 }, backgroundCtx())).skus.length).toBe(30_000);
  });

  test("the request id travels to every peer; the auth token only from a client that sends it", async () => {
    const ctx = withValue(withValue(backgroundCtx(), authTokenKey, "secret"), requestIdKey, "req-1");
    await client.getProduct({ sku: 1n }, ctx);
    expect(getValue(seen.ctx ?? backgroundCtx(), requestIdKey)).toBe("req-1");
    expect(getValue(seen.ctx ?? backgroundCtx(), authTokenKey)).toBeUndefined();

    const withToken = createGrpcClient(ProductService, {
      address: `127.0.0.1:${server.port}`,
      interceptors: [sendAuthTokenInterceptor],
    });
    try {
      await withToken.getProduct({ sku: 1n }, ctx);
      expect(getValue(seen.ctx ?? backgroundCtx(), authTokenKey)).toBe("secret");
    } finally {
      withToken.close();
    }
  });
});

describe("errors", () => {
  test("each AppError code arrives with the same code and its detail", async () => {
    for (const code of [
      "NOT_FOUND",
      "FAILED_PRECONDITION",
      "UNAUTHENTICATED",
      "RESOURCE_EXHAUSTED",
    ] as const) {
      behaviour = async () => {
        throw new AppError(code, `detail of ${code}`);
      };
      const err = await client.getProduct({ sku: 1n }, backgroundCtx()).catch((e) => e as AppError);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe(code);
      expect((err as AppError).message).toContain(`detail of ${code}`);
    }
  });

  test("an unexpected error becomes INTERNAL without its text", async () => {
    behaviour = async () => {
      throw new Error("password=hunter2");
    };
    const err = (await client.getProduct({ sku: 1n }, backgroundCtx()).catch((e) => e)) as AppError;
    expect(err.code).toBe("INTERNAL");
    expect(err.message).not.toContain("hunter2");
  });

  test("validation rejects before the handler runs, naming the field", async () => {
    const err = (await client.getProduct({ sku: 0n }, backgroundCtx()).catch((e) => e)) as AppError;
    expect(err.code).toBe("INVALID_ARGUMENT");
    expect(err.message).toContain("sku");
    expect(seen.calls).toBe(0);
  });

  test("malformed request bytes are INVALID_ARGUMENT", async () => {
    const raw = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    const identity = (b: Buffer) => b;
    const status = await new Promise<grpc.ServiceError | null>((resolve) =>
      raw.makeUnaryRequest(
        "/product.v1.ProductService/GetProduct",
        identity,
        identity,
        Buffer.from([0xff, 0xff, 0xff, 0xff]),
        (err) => resolve(err),
      ),
    );
    raw.close();
    expect(status?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(seen.calls).toBe(0);
  });
});

describe("cancellation and deadlines", () => {
  // A handler that waits until its context aborts, and reports the reason.
  function hangUntilAborted() {
    let aborted: (reason: unknown) => void = () => {};
    const serverSaw = new Promise<unknown>((r) => (aborted = r));
    behaviour = (_req, ctx) =>
      new Promise((_, reject) =>
        ctx.signal.addEventListener("abort", () => {
          aborted(ctx.signal.reason);
          reject(ctx.signal.reason);
        }),
      );
    return serverSaw;
  }

  test("the caller aborting cancels the call and aborts the handler's signal", async () => {
    const serverSaw = hangUntilAborted();
    const controller = new AbortController();
    const call = client.getProduct({ sku: 1n }, { signal: controller.signal });
    while (seen.calls === 0) await Bun.sleep(5);
    controller.abort(new AppError("CANCELLED", "caller gave up"));
    expect(await codeOf(call)).toBe("CANCELLED");
    expect(((await serverSaw) as AppError).code).toBe("CANCELLED");
  });

  test("a passed deadline is DEADLINE_EXCEEDED for the caller and aborts the handler", async () => {
    const serverSaw = hangUntilAborted();
    const call = client.getProduct(
      { sku: 1n },
      { signal: new AbortController().signal, deadline: Date.now() + 100 },
    );
    expect(await codeOf(call)).toBe("DEADLINE_EXCEEDED");
    expect(((await serverSaw) as AppError).code).toMatch(/DEADLINE_EXCEEDED|CANCELLED/);
  });

  test("an already aborted context never sends", async () => {
    const controller = new AbortController();
    controller.abort(new AppError("CANCELLED", "before"));
    expect(await codeOf(client.getProduct({ sku: 1n }, { signal: controller.signal }))).toBe("CANCELLED");
    expect(seen.calls).toBe(0);
  });
});
