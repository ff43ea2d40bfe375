// Reflection and grpc.health.v1.Health on a service started by the platform, called over a real
// socket the way grpcurl and Kubernetes' gRPC probes call them.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create, createFileRegistry, type DescFile, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import {
  Health,
  HealthCheckRequestSchema,
  type HealthCheckResponse,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as Status,
} from "../../gen/proto/grpc/health/v1/health_pb.ts";
import {
  type ServerReflectionRequest,
  ServerReflectionRequestSchema,
  type ServerReflectionResponse,
  ServerReflectionResponseSchema,
} from "../../gen/proto/grpc/reflection/v1/reflection_pb.ts";
import { ProductService } from "../../gen/proto/product/v1/product_pb.ts";
import { codeOf } from "../../tests/support/code-of.ts";
import { createLogger } from "../observability/logger.ts";
import { bindService } from "../rpc/call.ts";
import { backgroundCtx } from "../rpc/context.ts";
import { type RunningService, startService } from "../service.ts";
import { createGrpcClient, type GrpcClient } from "./client.ts";

let ready = true;
let service: RunningService;
let health: GrpcClient<typeof Health>;
let raw: grpc.Client;

/** A product service started the one platform way, so reflection and health come with it. */
const startProductService = (readiness?: () => void) =>
  startService({
    name: "introspection-test",
    logger: createLogger("introspection-test"),
    host: "127.0.0.1",
    httpPort: 0,
    grpcPort: 0,
    bindings: [
      bindService(ProductService, {
        getProduct: async () => ({ name: "x", price: 1 }),
        listSkus: async () => ({ skus: [] }),
      }),
    ],
    readiness,
    healthIntervalMs: 50,
  });

/** Opens a Watch of the whole server's health; statuses are pushed onto `seen`. */
function watchHealth(client: grpc.Client, seen: Status[]) {
  const watch = client.makeServerStreamRequest(
    "/grpc.health.v1.Health/Watch",
    (m: ReturnType<typeof create<typeof HealthCheckRequestSchema>>) =>
      Buffer.from(toBinary(HealthCheckRequestSchema, m)),
    (b: Buffer) => fromBinary(HealthCheckResponseSchema, b),
    create(HealthCheckRequestSchema, { service: "" }),
  );
  watch.on("data", (r: HealthCheckResponse) => seen.push(r.status));
  return watch;
}

beforeAll(async () => {
  service = await startProductService(() => {
    if (!ready) throw new Error("database unreachable");
  });
  const address = `127.0.0.1:${service.grpcPort}`;
  health = createGrpcClient(Health, { address, timeoutMs: 5_000 });
  raw = new grpc.Client(address, grpc.credentials.createInsecure());
});
afterAll(async () => {
  health?.close();
  raw?.close();
  await service?.stop(1_000);
});

/** Sends each request on one ServerReflectionInfo stream and collects one response per request. */
function reflect(requests: ServerReflectionRequest[]): Promise<ServerReflectionResponse[]> {
  return new Promise((resolve, reject) => {
    const responses: ServerReflectionResponse[] = [];
    const stream = raw.makeBidiStreamRequest(
      "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
      (m: ServerReflectionRequest) => Buffer.from(toBinary(ServerReflectionRequestSchema, m)),
      (b: Buffer) => fromBinary(ServerReflectionResponseSchema, b),
    );
    stream.on("data", (r: ServerReflectionResponse) => {
      responses.push(r);
      if (responses.length === requests.length) stream.end();
    });
    stream.on("error", reject);
    stream.on("end", () => resolve(responses));
    for (const r of requests) stream.write(r);
  });
}

/** What grpcurl does: the file holding the symbol, then every import it names, by file name. */
async function fileWithImports(symbol: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  let wanted = [request({ case: "fileContainingSymbol", value: symbol })];
  while (wanted.length > 0) {
    const missing = new Set<string>();
    for (const reply of await reflect(wanted)) {
      if (reply.messageResponse.case !== "fileDescriptorResponse") {
        throw new Error(`unexpected reflection reply ${reply.messageResponse.case}`);
      }
      for (const bytes of reply.messageResponse.value.fileDescriptorProto) {
        const file = fromBinary(FileDescriptorProtoSchema, bytes);
        files.set(file.name, bytes);
        for (const dep of file.dependency) missing.add(dep);
      }
    }
    wanted = [...missing]
      .filter((name) => !files.has(name))
      .map((name) => request({ case: "fileByFilename", value: name }));
  }
  return files;
}

const request = (messageRequest: ServerReflectionRequest["messageRequest"]) =>
  create(ServerReflectionRequestSchema, { messageRequest });

describe("server reflection", () => {
  test("lists the application services and the standard ones", async () => {
    const [reply] = await reflect([request({ case: "listServices", value: "" })]);
    expect(reply?.messageResponse.case).toBe("listServicesResponse");
    const names =
      reply?.messageResponse.case === "listServicesResponse"
        ? reply.messageResponse.value.service.map((s) => s.name).sort()
        : [];
    expect(names).toEqual([
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "product.v1.ProductService",
    ]);
  });

  test("a client rebuilds full descriptors (imports included) from reflection alone", async () => {
    const files = await fileWithImports("product.v1.ProductService");
    expect([...files.keys()]).toContain("google/api/annotations.proto");
    const load = (name: string) => {
      const bytes = files.get(name);
      return bytes && fromBinary(FileDescriptorProtoSchema, bytes);
    };
    const root = load("product/v1/product.proto");
    if (!root) throw new Error("reflection did not return product/v1/product.proto");
    const registry = createFileRegistry(root, load);
    const rebuilt = registry.getService("product.v1.ProductService");
    expect(rebuilt?.methods.map((m) => m.name)).toEqual(["GetProduct", "ListSkus"]);
    expect(rebuilt?.methods[0]?.input.fields.map((f) => f.name)).toEqual(["token", "sku"]);
    expect((rebuilt?.file as DescFile | undefined)?.name).toBe("product/v1/product");
  });

  test("an unknown symbol is an error reply, not a broken stream", async () => {
    const [reply] = await reflect([request({ case: "fileContainingSymbol", value: "no.such.Thing" })]);
    expect(reply?.messageResponse.case).toBe("errorResponse");
  });
});

describe("grpc.health.v1.Health", () => {
  const check = (name: string) => health.check({ service: name }, backgroundCtx());

  test("Check answers SERVING for the server and for each service while ready", async () => {
    expect((await check("")).status).toBe(Status.SERVING);
    expect((await check("product.v1.ProductService")).status).toBe(Status.SERVING);
  });

  test("Check on an unknown service is NOT_FOUND", async () => {
    expect(await codeOf(check("no.such.Service"))).toBe("NOT_FOUND");
  });

  test("status follows readiness, and Watch streams every change", async () => {
    const seen: Status[] = [];
    const watch = watchHealth(raw, seen);
    watch.on("error", () => {}); // cancelled below
    try {
      await until(() => seen.length === 1);
      ready = false;
      await until(() => seen.length === 2);
      expect((await check("")).status).toBe(Status.NOT_SERVING);
      expect((await check("product.v1.ProductService")).status).toBe(Status.NOT_SERVING);
      ready = true;
      await until(() => seen.length === 3);
      expect((await check("")).status).toBe(Status.SERVING);
      expect(seen).toEqual([Status.SERVING, Status.NOT_SERVING, Status.SERVING]);
    } finally {
      ready = true;
      watch.cancel();
    }
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("stopping ends open Watch streams with NOT_SERVING instead of waiting out the grace period", async () => {
  const other = await startProductService();
  const client = new grpc.Client(`127.0.0.1:${other.grpcPort}`, grpc.credentials.createInsecure());
  const seen: Status[] = [];
  const ended = new Promise<void>((resolve) => {
    const watch = watchHealth(client, seen);
    watch.on("error", () => resolve());
    watch.on("end", () => resolve());
  });
  try {
    await until(() => seen.length === 1);
    // A grace far beyond the test's own timeout: only ending the stream lets stop() finish in time.
    await other.stop(60_000);
    await ended;
    expect(seen).toEqual([Status.SERVING, Status.NOT_SERVING]);
  } finally {
    client.close();
  }
});
