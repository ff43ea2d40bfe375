// Start-up failures a newcomer meets end in one line that names the cause and the fix, at the
// default log level: a port held by someone else (Postgres' or a service's), and, as root, a
// checkout inside a directory the postgres OS user cannot enter.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { ProductService } from "../gen/proto/product/v1/product_pb.ts";
import { startEmbeddedPostgres } from "./dev/embedded-postgres.ts";
import { createLogger } from "./observability/logger.ts";
import { bindService } from "./rpc/call.ts";
import { startService } from "./service.ts";
import { StartupError } from "./startup.ts";

let held: Server;
let heldPort: number;
beforeAll(async () => {
  held = createServer();
  await new Promise<void>((done) => held.listen(0, "127.0.0.1", done));
  const address = held.address();
  heldPort = typeof address === "object" && address ? address.port : 0;
});
afterAll(() => held?.close());

const product = bindService(ProductService, {
  getProduct: async () => ({ name: "x", price: 1 }),
  listSkus: async () => ({ skus: [] }),
});
const start = (httpPort: number, grpcPort: number) =>
  startService({
    name: "product-mock",
    logger: createLogger("startup-test"),
    host: "127.0.0.1",
    httpPort,
    grpcPort,
    bindings: [product],
  });

async function failure(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StartupError);
  return err as Error;
}

describe("a port held by another process", () => {
  test("embedded Postgres names the port and EMBEDDED_PG_PORT", async () => {
    const dir = mkdtempSync("/tmp/startup-test-pg-");
    try {
      const err = await failure(startEmbeddedPostgres({ dir: join(dir, "data"), port: heldPort }));
      expect(err.message).toContain(`port ${heldPort} for embedded Postgres is already in use`);
      expect(err.message).toContain("set EMBEDDED_PG_PORT to a free port");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a service's HTTP port names <PREFIX>_HTTP_PORT and frees the gRPC port it had bound", async () => {
    const grpcProbe = createServer();
    await new Promise<void>((done) => grpcProbe.listen(0, "127.0.0.1", done));
    const address = grpcProbe.address();
    const grpcPort = typeof address === "object" && address ? address.port : 0;
    await new Promise<void>((done) => grpcProbe.close(() => done()));

    const err = await failure(start(heldPort, grpcPort));
    expect(err.message).toBe(
      `product-mock: HTTP port 127.0.0.1:${heldPort} is already in use: ` +
        "stop the process that holds it, or set PRODUCT_MOCK_HTTP_PORT to a free port",
    );
    // Nothing is left listening: the same gRPC port can be bound again.
    const again = await start(0, grpcPort);
    await again.stop(100);
  });

  test("a service's gRPC port names <PREFIX>_GRPC_PORT", async () => {
    const err = await failure(start(0, heldPort));
    expect(err.message).toContain(`gRPC port 127.0.0.1:${heldPort} is already in use`);
    expect(err.message).toContain("set PRODUCT_MOCK_GRPC_PORT to a free port");
  });
});

describe("embedded mode as a process, at the default log level", () => {
  test("exits 1 with one error line naming the cause and the fix", async () => {
    const env: Record<string, string | undefined> = { ...process.env, EMBEDDED_PG_PORT: String(heldPort) };
    delete env.LOG_LEVEL; // the default level, as a newcomer runs it
    const child = Bun.spawn(["node_modules/.bin/bun", "scripts/embedded.ts"], { env, stdout: "pipe" });
    const code = await child.exited;
    const lines = (await new Response(child.stdout).text()).trim().split("\n");
    const errors = lines
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .filter((l) => l.level >= 50);
    expect(code).toBe(1);
    expect(errors.map((e) => e.msg)).toEqual([
      `embedded mode failed to start: port ${heldPort} for embedded Postgres is already in use ` +
        "(another Postgres?): stop that server, or set EMBEDDED_PG_PORT to a free port",
    ]);
  });
});

const asRoot = process.getuid?.() === 0 && Bun.spawnSync(["id", "postgres"]).exitCode === 0;

describe.if(asRoot)("as root, a checkout the postgres user cannot reach", () => {
  test("fails before initdb with the directories to open", async () => {
    const closed = mkdtempSync("/tmp/startup-test-0700-");
    chmodSync(closed, 0o700);
    try {
      const err = await failure(startEmbeddedPostgres({ dir: join(closed, "checkout/.data"), port: 0 }));
      expect(err.message).toContain(`which cannot enter ${closed}`);
      expect(err.message).toContain(`chmod o+x ${closed}"`);
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  });
});
