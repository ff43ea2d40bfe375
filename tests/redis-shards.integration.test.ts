// Cart on two real Redis shards (own redis-server processes on free ports): product keys land on
// both, and with either shard killed cart keeps answering with correct listings (cache misses
// go to the product service; a limiter whose shard is gone limits in-process).

import { afterAll, beforeAll, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { startRedis, type TestRedis } from "./support/redis-server.ts";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

let shards: TestRedis[] = [];
let sys: TestSystem;
beforeAll(async () => {
  shards = [await startRedis(), await startRedis()];
  sys = await startTestSystem({
    CART_REDIS_URLS: shards.map((s) => s.url).join(","),
    CART_PRODUCT_CACHE_LOCAL_SIZE: "0", // every look-up reaches Redis
    PRODUCT_MOCK_GENERATED: "0",
  });
}, 60_000);
afterAll(async () => {
  await sys?.destroy();
  await Promise.all(shards.map((s) => s.stop()));
});

const SKUS = [
  1076963, 1148162, 773297411, 2958025, 2618151, 2956315, 135717466, 135937324, 1625903, 139275865,
];

async function keysOn(shard: TestRedis): Promise<string[]> {
  const redis = new Redis({ port: shard.port, lazyConnect: true });
  await redis.connect();
  const keys = await redis.keys("cache:product:*");
  redis.disconnect();
  return keys;
}

test("product keys land on both shards; with one killed, cart still lists correctly", async () => {
  for (const sku of SKUS)
    expect((await http("POST", `${sys.cartUrl}/user/7/cart/${sku}`, { count: 1 })).status).toBe(200);
  const [a, b] = [await keysOn(shards[0] as TestRedis), await keysOn(shards[1] as TestRedis)];
  // Cart waits for its shards at start, so even the first add's product lands in Redis.
  expect(a.length + b.length).toBe(SKUS.length);
  expect(a.length).toBeGreaterThan(0);
  expect(b.length).toBeGreaterThan(0);
  const before = await http("GET", `${sys.cartUrl}/user/7/cart`);
  expect(before.status).toBe(200);

  await shards[0]?.stop();
  const after = await http("GET", `${sys.cartUrl}/user/7/cart`);
  expect(after).toMatchObject({ status: 200, body: before.body });
  expect((await http("POST", `${sys.cartUrl}/user/8/cart/1148162`, { count: 1 })).status).toBe(200);
  const metrics = await (await fetch(`${sys.cartUrl}/metrics`)).text();
  expect(metrics).toContain(`shard="127.0.0.1:${shards[0]?.port}",result="error"`);
}, 30_000);
