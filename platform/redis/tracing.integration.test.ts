// Redis commands as child spans, on a real redis-server (free port; an integration test only
// because redis-server is installed with the stack): the product cache's miss, fill and hit and
// the limiter's script call each give one CLIENT span under the request's span, named by the
// command, with the shard's address and no key, value or argument text; a failing command is an
// ERROR span, a miss is not; commands outside a traced call make no span.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { freePort } from "../../tests/support/free-port.ts";
import { startRedis, type TestRedis } from "../../tests/support/redis-server.ts";
import { ReadThroughCache } from "../cache/read-through.ts";
import { createLogger } from "../observability/logger.ts";
import { createTracing } from "../observability/tracing.ts";
import { ShardedRedisCache } from "./cache-store.ts";
import { RedisRateLimitStore } from "./rate-limit-store.ts";
import { awaitShards, closeShards, connectShards, type RedisShard } from "./shards.ts";

const exporter = new InMemorySpanExporter();
const { tracer } = createTracing("redis-tracing-test", { endpoint: "", zipkinEndpoint: "", sampleRatio: 1 }, [
  new SimpleSpanProcessor(exporter),
]);
const logger = createLogger("redis-tracing-test");
let server: TestRedis;
let shards: RedisShard[];

beforeAll(async () => {
  server = await startRedis();
  shards = connectShards([server.url], logger, { tracer });
  await awaitShards(shards, 10_000);
});
afterAll(async () => {
  await closeShards(shards);
  await server.stop();
});

/** Runs `fn` under a fresh request span; returns that span's id and the spans made under it. */
async function underRequest(fn: () => Promise<unknown>) {
  exporter.reset();
  const request = tracer.startSpan("request");
  await context.with(trace.setSpan(context.active(), request), fn).catch(() => {});
  request.end();
  const spans = exporter.getFinishedSpans().filter((s) => s.name !== "request");
  return { request: request.spanContext(), spans };
}

const secret = { sku: "987654321", name: "Secret product name", limiter: "limiter-key-xyz" };

test("cache miss, fill, hit and the limiter's script: CLIENT spans under the request, no key or value", async () => {
  const cache = new ReadThroughCache<{ name: string }>({
    name: "product",
    localCapacity: 10,
    localTtlMs: 0, // every read goes to Redis
    remoteTtlMs: 60_000,
    negativeTtlMs: 1_000,
    remote: new ShardedRedisCache(shards),
  });
  const limiter = new RedisRateLimitStore(shards);
  const signal = new AbortController().signal;
  const { request, spans } = await underRequest(async () => {
    const load = async () => ({ name: secret.name });
    await cache.get(`product:${secret.sku}`, load, signal); // GET (miss), then SET
    await cache.get(`product:${secret.sku}`, load, signal); // GET (hit)
    await limiter.tryAcquire(secret.limiter, 10, 1_000, 0); // EVAL: the script's first call on the connection
    await limiter.tryAcquire(secret.limiter, 10, 1_000, 0); // EVALSHA
  });

  expect(spans.map((s) => s.name)).toEqual(["GET", "SET", "GET", "EVAL", "EVALSHA"]);
  for (const span of spans) {
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.spanContext().traceId).toBe(request.traceId);
    expect(span.parentSpanContext?.spanId).toBe(request.spanId);
    expect(span.status.code).toBe(SpanStatusCode.UNSET); // the miss included
    expect(span.attributes).toEqual({
      "db.system.name": "redis",
      "db.operation.name": span.name,
      "server.address": "127.0.0.1",
      "server.port": server.port,
    });
  }
  expectNoSecrets(spans);
});

test("a failing command is an ERROR span with Redis' error prefix only", async () => {
  await shards[0]?.client.hset(`cache:product:${secret.sku}-hash`, "name", secret.name);
  const cache = new ShardedRedisCache(shards);
  const { spans } = await underRequest(() => cache.get(`product:${secret.sku}-hash`));
  expect(spans.map((s) => [s.name, s.status])).toEqual([
    ["GET", { code: SpanStatusCode.ERROR, message: "WRONGTYPE" }],
  ]);
  expectNoSecrets(spans);
});

test("a shard that is down: the rejected command is an ERROR span", async () => {
  const port = await freePort();
  const down = connectShards([`127.0.0.1:${port}`], logger, { tracer, maxBackoffMs: 100 });
  try {
    const { spans } = await underRequest(() => new ShardedRedisCache(down).get(`product:${secret.sku}`));
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes["server.port"]).toBe(port);
    expect(spans[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expectNoSecrets(spans);
  } finally {
    await closeShards(down);
  }
});

test("commands outside a traced call make no span", async () => {
  exporter.reset();
  await new ShardedRedisCache(shards).get(`product:${secret.sku}`);
  expect(exporter.getFinishedSpans()).toEqual([]);
});

function expectNoSecrets(spans: ReadableSpan[]): void {
  const text = JSON.stringify(
    spans.map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events })),
  );
  for (const word of [secret.sku, secret.name, secret.limiter, "cache:", "ratelimit", "product"])
    expect(text).not.toContain(word);
}
