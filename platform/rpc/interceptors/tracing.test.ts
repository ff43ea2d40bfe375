// Trace context crosses real sockets: a caller's `traceparent` sent to service A's HTTP gateway
// (or gRPC port) parents A's server span; A's client span to B is carried as `traceparent`
// metadata and parents B's server span; every span names its method and outcome code, and
// only server faults mark a span as an error.

import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import pino from "pino";
import { ProductService } from "../../../gen/proto/product/v1/product_pb.ts";
import { type ServicePair, startServicePair } from "../../../tests/support/service-pair.ts";
import { createGrpcClient } from "../../grpc/client.ts";
import { createTracing } from "../../observability/tracing.ts";
import type { RunningService } from "../../service.ts";
import { backgroundCtx } from "../context.ts";
import { AppError } from "../errors.ts";
import { tracingInterceptor } from "./tracing.ts";

const exporter = new InMemorySpanExporter();
const config = { endpoint: "", zipkinEndpoint: "", sampleRatio: 1 };
const tracingA = createTracing("a", config, [new SimpleSpanProcessor(exporter)]);
const tracingB = createTracing("b", config, [new SimpleSpanProcessor(exporter)]);
// Service A's and B's log lines, to check that they carry the ids of their spans.
type Line = { msg?: string; request_id?: string; trace_id?: string; span_id?: string; method?: string };
const lines: Line[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).trim().split("\n")) lines.push(JSON.parse(line));
    done();
  },
});
const capture = pino({ level: "info" }, sink);
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";

let pair: ServicePair;
let a: RunningService;
beforeAll(async () => {
  pair = await startServicePair({
    logger: capture,
    a: { tracing: tracingA },
    b: { tracing: tracingB },
    clientInterceptors: [tracingInterceptor(tracingA.tracer)],
    getProduct: async (sku) => {
      if (sku === 404n) throw AppError.notFound("no such sku");
      if (sku === 500n) throw AppError.internal("broken");
      return { name: "from b", price: 1 };
    },
  });
  a = pair.a;
});
afterAll(() => pair?.stop());
beforeEach(() => {
  exporter.reset();
  lines.length = 0;
});

const byKind = (kind: SpanKind, service: string) =>
  exporter
    .getFinishedSpans()
    .find((s) => s.kind === kind && s.resource.attributes["service.name"] === service) as ReadableSpan;

async function getViaGateway(sku: number, traceparent?: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${a.httpPort}/get_product`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(traceparent && { traceparent }) },
    body: JSON.stringify({ sku }),
  });
}

test("a caller's traceparent parents A's server span, A's client span and B's server span", async () => {
  const res = await getViaGateway(1, `00-${TRACE_ID}-${PARENT_ID}-01`);
  expect(res.status).toBe(200);
  const serverA = byKind(SpanKind.SERVER, "a");
  const clientA = byKind(SpanKind.CLIENT, "a");
  const serverB = byKind(SpanKind.SERVER, "b");
  for (const span of [serverA, clientA, serverB]) expect(span.spanContext().traceId).toBe(TRACE_ID);
  expect(serverA.parentSpanContext?.spanId).toBe(PARENT_ID);
  expect(clientA.parentSpanContext?.spanId).toBe(serverA.spanContext().spanId);
  expect(serverB.parentSpanContext?.spanId).toBe(clientA.spanContext().spanId);
  expect(serverB.name).toBe("/product.v1.ProductService/GetProduct");
  expect(serverB.attributes).toMatchObject({
    "rpc.system": "grpc",
    "rpc.service": "product.v1.ProductService",
    "rpc.method": "GetProduct",
    "rpc.grpc.status_code": 0,
    "marketplace.transport": "grpc",
  });
  expect(serverA.attributes["marketplace.transport"]).toBe("http");
  expect(res.headers.get("traceresponse")).toBe(`00-${TRACE_ID}-${serverA.spanContext().spanId}-01`);

  // One info line per request in each service, each with its request id and its own span.
  const requestId = res.headers.get("x-request-id") ?? "";
  // The HTTP server writes its line when the response closes, which may be just after the client has it.
  for (let i = 0; i < 50 && !lines.some((l) => l.msg === "http request"); i++) await Bun.sleep(10);
  const httpLine = lines.find((l) => l.msg === "http request");
  const grpcLine = lines.find((l) => l.method === "/product.v1.ProductService/GetProduct");
  expect(httpLine).toMatchObject({
    request_id: requestId,
    trace_id: TRACE_ID,
    span_id: serverA.spanContext().spanId,
  });
  expect(grpcLine).toMatchObject({
    request_id: requestId,
    trace_id: TRACE_ID,
    span_id: serverB.spanContext().spanId,
  });
  expect(lines.length).toBe(2);
});

test("without a traceparent a new trace starts at the first server and still spans both services", async () => {
  const caller = createGrpcClient(ProductService, { address: `127.0.0.1:${a.grpcPort}` });
  try {
    await caller.getProduct({ sku: 1n }, backgroundCtx());
  } finally {
    caller.close();
  }
  const serverA = byKind(SpanKind.SERVER, "a");
  const serverB = byKind(SpanKind.SERVER, "b");
  expect(serverA.parentSpanContext).toBeUndefined();
  expect(serverB.spanContext().traceId).toBe(serverA.spanContext().traceId);
});

test("a client mistake is recorded with its code but is not a span error; a server fault is", async () => {
  expect((await getViaGateway(404)).status).toBe(404);
  let serverB = byKind(SpanKind.SERVER, "b");
  expect(serverB.attributes).toMatchObject({ "rpc.grpc.status_code": 5, "rpc.code": "NOT_FOUND" });
  expect(serverB.status.code).toBe(SpanStatusCode.UNSET);
  exporter.reset();

  expect((await getViaGateway(500)).status).toBe(500);
  serverB = byKind(SpanKind.SERVER, "b");
  expect(serverB.attributes).toMatchObject({ "rpc.grpc.status_code": 13, "rpc.code": "INTERNAL" });
  expect(serverB.status.code).toBe(SpanStatusCode.ERROR);
  expect(byKind(SpanKind.CLIENT, "a").status.code).toBe(SpanStatusCode.ERROR);
});

test("a sampled-out caller's decision is followed downstream: nothing is recorded", async () => {
  expect((await getViaGateway(1, `00-${TRACE_ID}-${PARENT_ID}-00`)).status).toBe(200);
  expect(exporter.getFinishedSpans()).toEqual([]);
});
