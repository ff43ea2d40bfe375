// The Redis adapters on real redis-server processes (free ports, started and killed here):
// the sliding-log script shared by several clients, the fallback across a real outage and
// recovery, keys landing on every shard in proportion, and the cache surviving a dead shard.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Registry } from "prom-client";
import { startRedis, type TestRedis } from "../../tests/support/redis-server.ts";
import { ReadThroughCache } from "../cache/read-through.ts";
import type { Attempt } from "../concurrency/rate-limiter.ts";
import { createLogger } from "../observability/logger.ts";
import { ShardedRedisCache } from "./cache-store.ts";
import { FallbackRateLimitStore } from "./fallback-rate-limit-store.ts";
import { LivePeers } from "./live-peers.ts";
import { RedisRateLimitStore } from "./rate-limit-store.ts";
import { awaitShards, closeShards, connectShards, type RedisShard } from "./shards.ts";

const logger = createLogger("redis-test");
let servers: TestRedis[] = [];
const opened: RedisShard[][] = [];
const connect = (urls: string[]) => {
  const shards = connectShards(urls, logger, { maxBackoffMs: 100 });
  opened.push(shards);
  return shards;
};
const ready = (shards: RedisShard[]) => awaitShards(shards, 10_000);
const waitOf = (a: Attempt) => (a.granted ? 0 : a.waitMs);

beforeAll(async () => {
  servers = await Promise.all([startRedis(), startRedis(), startRedis()]);
});
afterAll(async () => {
  for (const shards of opened) await closeShards(shards);
  await Promise.all(servers.map((s) => s.stop()));
});

describe("RedisRateLimitStore", () => {
  test("three clients (as three processes) share one budget: at most `limit` in any window", async () => {
    const urls = servers.map((s) => s.url);
    const stores = [connect(urls), connect(urls), connect(urls)];
    await Promise.all(stores.map(ready));
    const limiters = stores.map((shards) => new RedisRateLimitStore(shards));
    const grants: number[] = [];
    const started = performance.now();
    // Each client asks as fast as it can for 2.5 s, sleeping only when told to.
    await Promise.all(
      limiters.map(async (store) => {
        while (performance.now() - started < 2_500) {
          const wait = waitOf(await store.tryAcquire("shared-test", 10, 500, 0));
          if (wait === 0) grants.push(performance.now());
          else {
            expect(wait).toBeLessThanOrEqual(500);
            await Bun.sleep(Math.min(wait, 20));
          }
        }
      }),
    );
    grants.sort((a, b) => a - b);
    // Windows seen from here are approximately Redis' (same machine): allow 5 ms of skew.
    for (const t of grants)
      expect(grants.filter((g) => g > t - 495 && g <= t).length).toBeLessThanOrEqual(10);
    expect(grants.length).toBeGreaterThanOrEqual(45); // 5 windows of 10: the budget is used
    // The log lives on exactly one shard, the same one every client picked (one more attempt
    // first: the log expires a window after its last grant).
    await limiters[0]?.tryAcquire("shared-test", 10, 500, 0);
    const holders = await Promise.all(stores[0]!.map((s) => s.client.exists("ratelimit:{shared-test}")));
    expect(holders.filter((n) => n === 1).length).toBe(1);
  }, 15_000);

  test("with its Redis killed it limits in-process, then uses Redis again when it is back", async () => {
    const server = servers[2]!;
    const shards = connect([server.url]);
    await ready(shards);
    const registry = new Registry();
    const store = new FallbackRateLimitStore(new RedisRateLimitStore(shards), logger, registry);
    expect(waitOf(await store.tryAcquire("outage", 3, 1000, 0))).toBe(0);
    await server.stop();
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) waits.push(waitOf(await store.tryAcquire("outage", 3, 1000, 0)));
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(0);
    expect(store.onFallback).toBe(true);
    expect(await registry.getSingleMetricAsString("rate_limit_store_fallback")).toContain(
      "rate_limit_store_fallback 1",
    );
    await server.start();
    await ready(shards);
    expect(waitOf(await store.tryAcquire("outage-2", 3, 1000, 0))).toBe(0);
    expect(store.onFallback).toBe(false);
    expect(await shards[0]!.client.zcard("ratelimit:{outage-2}")).toBe(1);
  }, 20_000);
});

describe("returning to Redis after an outage", () => {
  test("permits granted in-process during the outage are carried into Redis' log", async () => {
    const server = servers[0]!;
    const shards = connect([server.url]);
    await ready(shards);
    const store = new FallbackRateLimitStore(new RedisRateLimitStore(shards), logger);
    await server.stop();
    for (let i = 0; i < 3; i++) expect((await store.tryAcquire("carry", 3, 1000, 0)).granted).toBe(true);
    await server.start();
    await ready(shards);
    // The window still holds the three in-process grants: Redis must refuse a fourth.
    expect((await store.tryAcquire("carry", 3, 1000, 0)).granted).toBe(false);
    expect(store.onFallback).toBe(false);
    expect(await shards[0]!.client.zcard("ratelimit:{carry}")).toBe(3);
    await Bun.sleep(1_050);
    expect((await store.tryAcquire("carry", 3, 1000, 0)).granted).toBe(true);
  }, 20_000);
});

describe("held permits and live peers in Redis", () => {
  test("a held permit counts until a window after its release, across clients", async () => {
    const a = new RedisRateLimitStore(connect([servers[1]!.url]));
    const b = new RedisRateLimitStore(connect([servers[1]!.url]));
    await Promise.all([ready([a.shardFor("held")]), ready([b.shardFor("held")])]);
    const first = await a.tryAcquire("held", 1, 200, 10_000);
    if (!first.granted) throw new Error("first permit refused");
    await Bun.sleep(400); // the call runs two windows: still counted
    expect(waitOf(await b.tryAcquire("held", 1, 200, 10_000))).toBe(200);
    await first.permit.release();
    expect((await b.tryAcquire("held", 1, 200, 10_000)).granted).toBe(false);
    await Bun.sleep(220);
    expect((await b.tryAcquire("held", 1, 200, 10_000)).granted).toBe(true);
  });

  test("three processes see three live peers; with Redis gone each falls back to a third", async () => {
    const server = servers[1]!;
    const stores = [0, 1, 2].map(() => new RedisRateLimitStore(connect([server.url])));
    await Promise.all(stores.map((s) => ready([s.shardFor("peers")])));
    const peers = stores.map((s) => new LivePeers(s, { key: "peers", atLeast: 1, intervalMs: 50 }));
    await Promise.all(peers.map((p) => p.refresh()));
    await Promise.all(peers.map((p) => p.refresh()));
    expect(peers.map((p) => p.count())).toEqual([3, 3, 3]);
    const fallbacks = stores.map(
      (s, i) => new FallbackRateLimitStore(s, logger, undefined, () => peers[i]!.count()),
    );
    await server.stop();
    await Bun.sleep(200); // heartbeats fail meanwhile: the count stays
    expect(peers.map((p) => p.count())).toEqual([3, 3, 3]);
    let granted = 0;
    for (const store of fallbacks)
      for (let i = 0; i < 10; i++) if ((await store.tryAcquire("peers", 10, 1000, 0)).granted) granted++;
    expect(granted).toBe(9);
    for (const p of peers) p.stop();
    await server.start();
  }, 20_000);
});

describe("ShardedRedisCache", () => {
  test("keys land on every shard in proportion; a dead shard degrades to the source", async () => {
    const shards = connect(servers.map((s) => s.url));
    await ready(shards);
    await Promise.all(shards.map((s) => s.client.flushall()));
    const registry = new Registry();
    const cache = new ReadThroughCache<{ sku: number }>({
      name: "product",
      localCapacity: 0,
      localTtlMs: 1,
      remoteTtlMs: 60_000,
      negativeTtlMs: 1_000,
      remote: new ShardedRedisCache(shards),
      registry,
    });
    const never = new AbortController().signal;
    const skus = Array.from({ length: 3000 }, (_, i) => 900_000_000 + i * 7919);
    let loads = 0;
    const load = (sku: number) => async () => {
      loads++;
      return { sku };
    };
    for (const sku of skus) await cache.get(`product:${sku}`, load(sku), never);
    const sizes = await Promise.all(shards.map((s) => s.client.dbsize()));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(3000);
    for (const n of sizes) expect(Math.abs(n / 3000 - 1 / 3)).toBeLessThan(0.05);

    // Warm: every read is a remote hit, no loads.
    loads = 0;
    for (const sku of skus.slice(0, 300))
      expect(await cache.get(`product:${sku}`, load(sku), never)).toEqual({ sku });
    expect(loads).toBe(0);

    // One shard dies: its keys come from the source (no error), the others still hit.
    const dead = servers[0]!;
    await dead.stop();
    loads = 0;
    for (const sku of skus.slice(0, 300))
      expect(await cache.get(`product:${sku}`, load(sku), never)).toEqual({ sku });
    expect(loads).toBeGreaterThan(50);
    expect(loads).toBeLessThan(160);
    const text = await registry.metrics();
    expect(text).toContain(`shard="127.0.0.1:${dead.port}",result="error"`);
    await dead.start();
  }, 30_000);

  test("negative entries and TTL expiry in Redis", async () => {
    const shards = connect([servers[1]!.url]);
    await ready(shards);
    const remote = new ShardedRedisCache(shards);
    const cache = new ReadThroughCache<{ v: number }>({
      name: "t",
      localCapacity: 0,
      localTtlMs: 1,
      remoteTtlMs: 300,
      negativeTtlMs: 150,
      remote,
    });
    const never = new AbortController().signal;
    let loads = 0;
    const value = (v: { v: number } | null) => async () => {
      loads++;
      return v;
    };
    expect(await cache.get("neg", value(null), never)).toBeNull();
    expect(await remote.get("neg")).toBe("null");
    expect(await cache.get("neg", value({ v: 1 }), never)).toBeNull();
    expect(await cache.get("pos", value({ v: 2 }), never)).toEqual({ v: 2 });
    expect(loads).toBe(2);
    await Bun.sleep(200);
    expect(await remote.get("neg")).toBeNull(); // the negative entry expired first
    expect(await remote.get("pos")).toBe('{"v":2}');
    await Bun.sleep(150);
    expect(await remote.get("pos")).toBeNull();
    expect(await cache.get("pos", value({ v: 3 }), never)).toEqual({ v: 3 });
    expect(loads).toBe(3);
  });
});
