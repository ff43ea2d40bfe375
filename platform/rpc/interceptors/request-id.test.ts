// `x-request-id` comes from whoever calls us, and ends up in every log line of the request and
// in LOMS' outbox: over real sockets (HTTP gateway and gRPC) a well-formed id is kept, and an
// oversized or garbage one is replaced by a fresh UUID before the handler, the log or the
// response header ever see it.

import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { Writable } from "node:stream";
import * as grpc from "@grpc/grpc-js";
import pino from "pino";
import { ProductService } from "../../../gen/proto/product/v1/product_pb.ts";
import { type RunningService, startService } from "../../service.ts";
import { bindService } from "../call.ts";
import { getValue, requestIdKey } from "../context-values.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const loggedIds: unknown[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).trim().split("\n")) {
      const parsed = JSON.parse(line) as { request_id?: unknown };
      if ("request_id" in parsed) loggedIds.push(parsed.request_id);
    }
    done();
  },
});

let seenByHandler: (string | undefined)[] = [];
let service: RunningService;
beforeAll(async () => {
  service = await startService({
    name: "request-id-test",
    logger: pino({ level: "info" }, sink),
    host: "127.0.0.1",
    httpPort: 0,
    grpcPort: 0,
    bindings: [
      bindService(ProductService, {
        getProduct: async (_req, ctx) => {
          seenByHandler.push(getValue(ctx, requestIdKey));
          return { name: "n", price: 1 };
        },
        listSkus: async () => ({ skus: [] }),
      }),
    ],
  });
});
afterAll(() => service?.stop(1_000));
beforeEach(() => {
  seenByHandler = [];
  loggedIds.length = 0;
});

async function overHttp(id: string): Promise<string | null> {
  const res = await fetch(`http://127.0.0.1:${service.httpPort}/get_product`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": id },
    body: JSON.stringify({ sku: 1 }),
  });
  expect(res.status).toBe(200);
  return res.headers.get("x-request-id");
}

async function overGrpc(id: string): Promise<string | undefined> {
  const client = new grpc.Client(`127.0.0.1:${service.grpcPort}`, grpc.credentials.createInsecure());
  try {
    const metadata = new grpc.Metadata();
    metadata.set("x-request-id", id);
    const echoed = await new Promise<string | undefined>((resolve, reject) => {
      let header: string | undefined;
      const call = client.makeUnaryRequest(
        "/product.v1.ProductService/GetProduct",
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from([0x10, 0x01]), // sku = 1
        metadata,
        (err) => (err ? reject(err) : resolve(header)),
      );
      call.on("metadata", (m: grpc.Metadata) => {
        header = m.get("x-request-id")[0]?.toString();
      });
    });
    return echoed;
  } finally {
    client.close();
  }
}

test.each([
  ["a UUID", "0b5c3a52-7d6e-4f0a-9c1b-2e8d4f6a7b90"],
  ["a short token with dots, colons and underscores", "edge:req_42.a-b"],
  ["128 characters", "r".repeat(128)],
])("%s is kept as the request id, over HTTP and gRPC", async (_name, id) => {
  expect(await overHttp(id)).toBe(id);
  expect(await overGrpc(id)).toBe(id);
  expect(seenByHandler).toEqual([id, id]);
  expect(loggedIds).toContain(id);
});

// grpc-js refuses to send non-ASCII metadata, so that case goes over HTTP only.
test.each([
  ["129 characters", "r".repeat(129), true],
  ["8 KiB", "x".repeat(8 * 1024), true],
  ["spaces and quotes", 'a b "c" <script>', true],
  ["JSON breaking characters", '{"level":60}', true],
  ["non-ASCII (HTTP only)", "zaq\u00e9\u00ff", false],
])("%s is replaced by a fresh UUID everywhere it would go", async (_name, id, grpcToo) => {
  const viaHttp = await overHttp(id);
  expect(viaHttp).toMatch(UUID);
  const echoed: (string | undefined)[] = [viaHttp ?? ""];
  if (grpcToo) {
    const viaGrpc = await overGrpc(id);
    expect(viaGrpc).toMatch(UUID);
    expect(viaGrpc).not.toBe(viaHttp);
    echoed.push(viaGrpc);
  }
  expect(seenByHandler).toEqual(echoed);
  expect(loggedIds.length).toBeGreaterThan(0);
  for (const logged of loggedIds) expect(logged).toMatch(UUID);
});
