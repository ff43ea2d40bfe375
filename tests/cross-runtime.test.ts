// gRPC across runtimes with messages over 64 KiB (grpc-js on Bun and Deno has had HTTP/2
// regressions exactly there): Deno client → Bun server, Bun client → Deno server, and a bare
// Node grpc-js client → Bun server.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  ListSkusRequestSchema,
  ListSkusResponseSchema,
  ProductService,
} from "../gen/proto/product/v1/product_pb.ts";
import { createGrpcClient } from "../platform/grpc/client.ts";
import { backgroundCtx } from "../platform/rpc/context.ts";
import type { RunningServer } from "../platform/service.ts";
import { productMockConfig, startProductMock } from "../product-mock/main.ts";
import { freePort } from "./support/free-port.ts";
import { waitUntilReady } from "./support/wait.ts";

// A 96 KiB token makes every request larger than 64 KiB; 20 000 SKUs make replies ~100 KiB.
const BIG_TOKEN = "t".repeat(96 * 1024);
const COUNT = 20_000;
const ENV = {
  PRODUCT_MOCK_TOKENS: BIG_TOKEN,
  PRODUCT_MOCK_RPS: "1000",
  PRODUCT_MOCK_LATENCY_MS: "0",
  PRODUCT_MOCK_LATENCY_JITTER_MS: "0",
  PRODUCT_MOCK_GENERATED: String(COUNT),
  LOG_LEVEL: "silent",
};

function run(cmd: string, args: string[], input = "", env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

let bunServer: RunningServer;
beforeAll(async () => {
  bunServer = await startProductMock({ ...productMockConfig(ENV), httpPort: 0, grpcPort: 0 });
});
afterAll(async () => {
  await bunServer?.stop();
});

describe("cross-runtime gRPC with large messages", () => {
  test("Deno client → Bun server", async () => {
    const out = await run(
      "node_modules/.bin/deno",
      ["run", "-A", "tests/support/list-skus-client.ts", `127.0.0.1:${bunServer.grpcPort}`, String(COUNT)],
      "",
      { BIG_TOKEN },
    );
    expect(out.stderr).not.toContain("error:");
    expect(JSON.parse(out.stdout.trim())).toMatchObject({ ok: true, skus: COUNT });
  }, 60_000);

  test("Node (bare grpc-js) client → Bun server", async () => {
    const req = toBinary(
      ListSkusRequestSchema,
      create(ListSkusRequestSchema, { token: BIG_TOKEN, startAfterSku: 0n, count: COUNT }),
    );
    const out = await run(
      "node",
      [
        "tests/support/raw-grpc-client.mjs",
        `127.0.0.1:${bunServer.grpcPort}`,
        "/product.v1.ProductService/ListSkus",
      ],
      Buffer.from(req).toString("hex"),
    );
    expect(out.stdout.startsWith("ERR")).toBe(false);
    const reply = fromBinary(ListSkusResponseSchema, Buffer.from(out.stdout.trim(), "hex"));
    expect(reply.skus.length).toBe(COUNT);
  }, 60_000);

  test("Bun client → Deno server", async () => {
    const grpcPort = await freePort();
    const httpPort = await freePort();
    const deno = spawn("node_modules/.bin/deno", ["run", "-A", "product-mock/main.ts"], {
      env: {
        ...process.env,
        ...ENV,
        PRODUCT_MOCK_GRPC_PORT: String(grpcPort),
        PRODUCT_MOCK_HTTP_PORT: String(httpPort),
      },
      stdio: "ignore",
    });
    const client = createGrpcClient(ProductService, { address: `127.0.0.1:${grpcPort}`, timeoutMs: 10_000 });
    try {
      await waitUntilReady(`http://127.0.0.1:${httpPort}/readyz`, 30_000);
      const reply = await client.listSkus({ token: BIG_TOKEN, count: COUNT }, backgroundCtx());
      expect(reply.skus.length).toBe(COUNT);
    } finally {
      client.close();
      deno.kill("SIGTERM");
    }
  }, 60_000);
});
