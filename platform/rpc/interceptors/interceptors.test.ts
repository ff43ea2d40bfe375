// Retry, logging and metrics interceptors in isolation.

import { describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { create, type Message } from "@bufbuild/protobuf";
import pino from "pino";
import { GetProductRequestSchema, ProductService } from "../../../gen/proto/product/v1/product_pb.ts";
import type { Logger } from "../../observability/logger.ts";
import { createMetrics } from "../../observability/metrics.ts";
import { type Call, newCall, type UnaryFn } from "../call.ts";
import { backgroundCtx } from "../context.ts";
import { requestIdKey, withValue } from "../context-values.ts";
import { AppError } from "../errors.ts";
import { loggingInterceptor } from "./logging.ts";
import { metricsInterceptor } from "./metrics.ts";
import { retryInterceptor } from "./retry.ts";

const req = create(GetProductRequestSchema, { sku: 1n });
const call = (over: Partial<Call> = {}): Call => ({
  ...newCall(ProductService.method.getProduct, backgroundCtx(), "client", "grpc"),
  ...over,
});

function failing(errors: AppError[]): { fn: UnaryFn; attempts: () => number } {
  let n = 0;
  return {
    fn: async () => {
      const err = errors[n++];
      if (err) throw err;
      return req as Message;
    },
    attempts: () => n,
  };
}

describe("retryInterceptor", () => {
  const retry = retryInterceptor({ attempts: 3, baseDelayMs: 1, methods: ["GetProduct"] });

  test("retries UNAVAILABLE until success", async () => {
    const f = failing([AppError.unavailable("x"), AppError.unavailable("y")]);
    expect(await retry(f.fn)(req, call())).toBe(req);
    expect(f.attempts()).toBe(3);
  });

  test("never retries RESOURCE_EXHAUSTED by default: a retry would spend the spent budget again", async () => {
    const f = failing([AppError.resourceExhausted("y")]);
    await expect(retry(f.fn)(req, call())).rejects.toMatchObject({ code: "RESOURCE_EXHAUSTED" });
    expect(f.attempts()).toBe(1);
  });

  test("stops after the last attempt with the last error", async () => {
    const f = failing([AppError.unavailable("1"), AppError.unavailable("2"), AppError.unavailable("3")]);
    await expect(retry(f.fn)(req, call())).rejects.toMatchObject({ detail: "3" });
    expect(f.attempts()).toBe(3);
  });

  test("never retries other codes or unlisted methods", async () => {
    const notFound = failing([AppError.notFound("x")]);
    await expect(retry(notFound.fn)(req, call())).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(notFound.attempts()).toBe(1);
    const other = failing([AppError.unavailable("x")]);
    await expect(
      retry(other.fn)(req, call({ method: ProductService.method.listSkus })),
    ).rejects.toBeDefined();
    expect(other.attempts()).toBe(1);
  });

  test("does not sleep past the deadline", async () => {
    const slow = retryInterceptor({ attempts: 5, baseDelayMs: 10_000, methods: ["GetProduct"] });
    const f = failing([AppError.unavailable("x"), AppError.unavailable("y")]);
    const ctx = { signal: new AbortController().signal, deadline: Date.now() + 1_000 };
    await expect(slow(f.fn)(req, call({ ctx }))).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect(f.attempts()).toBe(1);
  });
});

describe("metrics interceptor", () => {
  test("counts calls by code, observes latency, returns in-flight to zero", async () => {
    const metrics = createMetrics("metrics-test");
    const ok = metricsInterceptor(metrics)(async () => req);
    const bad = metricsInterceptor(metrics)(async () => {
      throw AppError.notFound("x");
    });
    await ok(req, call());
    await ok(req, call());
    await expect(bad(req, call())).rejects.toBeDefined();
    const text = await metrics.registry.metrics();
    const labels = 'grpc_type="unary",grpc_service="product.v1.ProductService",grpc_method="GetProduct"';
    const svc = 'service="metrics-test"';
    expect(text).toContain(`grpc_client_started_total{${labels},${svc}} 3`);
    expect(text).toContain(`grpc_client_handled_total{${labels},grpc_code="OK",${svc}} 2`);
    expect(text).toContain(`grpc_client_handled_total{${labels},grpc_code="NotFound",${svc}} 1`);
    expect(text).toContain(`grpc_client_in_flight_requests{${labels},${svc}} 0`);
    expect(text).toContain(`grpc_client_handling_seconds_count{${svc},${labels}} 3`);
    expect(text).toContain(`grpc_client_handling_seconds_bucket{le="0.001",${svc},${labels}}`);
    expect(text).toContain(`grpc_client_handling_seconds_bucket{le="10",${svc},${labels}} 3`);
    expect(text).not.toContain("grpc_server_handled_total{");
  });

  test("server side counts gRPC calls under grpc_server_*, and leaves gateway calls to the HTTP metrics", async () => {
    const metrics = createMetrics("metrics-test");
    const served = metricsInterceptor(metrics)(async () => {
      throw AppError.failedPrecondition("x");
    });
    const serverCall = (protocol: "grpc" | "http") =>
      newCall(ProductService.method.getProduct, backgroundCtx(), "server", protocol);
    await expect(served(req, serverCall("grpc"))).rejects.toBeDefined();
    await expect(served(req, serverCall("http"))).rejects.toBeDefined();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(
      /grpc_server_handled_total\{[^}]*grpc_method="GetProduct",grpc_code="FailedPrecondition"[^}]*\} 1\n/,
    );
    expect(text).toMatch(/grpc_server_started_total\{[^}]*\} 1\n/);
  });
});

describe("logging interceptor", () => {
  function captured(): {
    logger: Logger;
    lines: { level: number; transport?: string; request_id?: string }[];
  } {
    const lines: { level: number }[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    return { logger: pino({ level: "debug" }, sink), lines };
  }
  const served = (protocol: "grpc" | "http" | "inproc") =>
    newCall(
      ProductService.method.getProduct,
      withValue(backgroundCtx(), requestIdKey, "r-1"),
      "server",
      protocol,
    );

  test("a served call's line is info, unless its transport writes its own; then the call carries the ids", async () => {
    const { logger, lines } = captured();
    const logged = loggingInterceptor(logger)(async () => req);
    for (const protocol of ["grpc", "inproc"] as const) await logged(req, served(protocol));
    const viaGateway = served("http");
    await logged(req, viaGateway);
    expect(lines.map((l) => [l.transport, l.level])).toEqual([
      ["grpc", 30],
      ["inproc", 30],
      ["http", 20],
    ]);
    expect(viaGateway.correlation).toEqual({ request_id: "r-1" });
  });
});
