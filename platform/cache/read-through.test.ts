// The read-through cache with an injected clock and an in-memory remote layer: hit, miss,
// negative entries, TTL expiry, coalescing, per-caller cancellation, and a failing remote layer
// degrading to the loader. (The Redis remote layer itself: platform/redis/*.integration.test.ts.)

import { describe, expect, test } from "bun:test";
import { Registry } from "prom-client";
import { Coalescer } from "./coalesce.ts";
import { LruCache } from "./lru.ts";
import { ReadThroughCache, type RemoteCache } from "./read-through.ts";

const never = new AbortController().signal;

class MapRemote implements RemoteCache {
  readonly data = new Map<string, string>();
  failing = false;
  shardOf(key: string) {
    return key.length % 2 === 0 ? "even" : "odd";
  }
  async get(key: string) {
    if (this.failing) throw new Error("remote down");
    return this.data.get(key) ?? null;
  }
  async set(key: string, value: string) {
    if (this.failing) throw new Error("remote down");
    this.data.set(key, value);
  }
}

function setup(remote?: RemoteCache) {
  let now = 0;
  const registry = new Registry();
  const cache = new ReadThroughCache<{ name: string }>({
    name: "t",
    localCapacity: 100,
    localTtlMs: 1_000,
    remoteTtlMs: 10_000,
    negativeTtlMs: 200,
    remote,
    registry,
    now: () => now,
  });
  let loads = 0;
  const load = (value: { name: string } | null) => async () => {
    loads++;
    return value;
  };
  const metric = async (labels: string) => {
    const text = await registry.metrics();
    const line = text.split("\n").find((l) => l.startsWith("cache_lookups_total{") && l.includes(labels));
    return line ? Number(line.split(" ").pop()) : 0;
  };
  return { cache, load, loads: () => loads, advance: (ms: number) => (now += ms), metric };
}

describe("ReadThroughCache", () => {
  test("a miss loads and fills both layers; the next read is a local hit", async () => {
    const remote = new MapRemote();
    const s = setup(remote);
    expect(await s.cache.get("a", s.load({ name: "A" }), never)).toEqual({ name: "A" });
    expect(remote.data.get("a")).toBe('{"name":"A"}');
    expect(await s.cache.get("a", s.load({ name: "other" }), never)).toEqual({ name: "A" });
    expect(s.loads()).toBe(1);
    expect(await s.metric('layer="local",shard="local",result="hit"')).toBe(1);
    expect(await s.metric('layer="remote",shard="odd",result="miss"')).toBe(1);
  });

  test("after the local TTL the remote layer answers (another process's fill counts too)", async () => {
    const remote = new MapRemote();
    remote.data.set("bb", '{"name":"from another process"}');
    const s = setup(remote);
    expect(await s.cache.get("bb", s.load({ name: "source" }), never)).toEqual({
      name: "from another process",
    });
    expect(s.loads()).toBe(0);
    expect(await s.metric('layer="remote",shard="even",result="hit"')).toBe(1);
  });

  test("local entries expire after their TTL and are loaded again", async () => {
    const s = setup();
    await s.cache.get("a", s.load({ name: "v1" }), never);
    s.advance(999);
    expect(await s.cache.get("a", s.load({ name: "v2" }), never)).toEqual({ name: "v1" });
    s.advance(1);
    expect(await s.cache.get("a", s.load({ name: "v2" }), never)).toEqual({ name: "v2" });
    expect(s.loads()).toBe(2);
  });

  test("an unknown key is remembered as null for the negative TTL only", async () => {
    const remote = new MapRemote();
    const s = setup(remote);
    expect(await s.cache.get("gone", s.load(null), never)).toBeNull();
    expect(remote.data.get("gone")).toBe("null");
    expect(await s.cache.get("gone", s.load({ name: "back" }), never)).toBeNull();
    expect(s.loads()).toBe(1);
    s.advance(200);
    remote.data.delete("gone"); // Redis would have expired it by now too (same negative TTL)
    expect(await s.cache.get("gone", s.load({ name: "back" }), never)).toEqual({ name: "back" });
    expect(s.loads()).toBe(2);
  });

  test("N concurrent misses of one key make one load", async () => {
    const s = setup(new MapRemote());
    let release: (v: { name: string }) => void = () => {};
    let loads = 0;
    const slow = () => {
      loads++;
      return new Promise<{ name: string }>((resolve) => (release = resolve));
    };
    const all = Promise.all(Array.from({ length: 50 }, () => s.cache.get("k", slow, never)));
    await Bun.sleep(5);
    release({ name: "K" });
    const results = await all;
    expect(loads).toBe(1);
    expect(results.every((r) => r?.name === "K")).toBe(true);
  });

  test("a failing remote layer degrades to the loader, never to an error", async () => {
    const remote = new MapRemote();
    remote.failing = true;
    const s = setup(remote);
    expect(await s.cache.get("a", s.load({ name: "A" }), never)).toEqual({ name: "A" });
    expect(await s.metric('layer="remote",shard="odd",result="error"')).toBe(2); // get and set
  });

  test("a loader error reaches every waiter and is not cached", async () => {
    const s = setup();
    const failing = async () => {
      throw new Error("product down");
    };
    const results = await Promise.allSettled([
      s.cache.get("x", failing, never),
      s.cache.get("x", failing, never),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await s.cache.get("x", s.load({ name: "ok" }), never)).toEqual({ name: "ok" });
  });
});

describe("Coalescer", () => {
  function controllable() {
    const state = { signal: undefined as AbortSignal | undefined, finish: (_v: string) => {} };
    const load = (signal: AbortSignal) => {
      state.signal = signal;
      return new Promise<string>((resolve) => (state.finish = resolve));
    };
    return { state, load };
  }

  test("one caller leaving does not cancel the shared load; the others still get it", async () => {
    const c = new Coalescer<string>();
    const { state, load } = controllable();
    const a = new AbortController();
    const pa = c.run("k", load, a.signal);
    const pb = c.run("k", load, never);
    a.abort(new Error("a gave up"));
    await expect(pa).rejects.toThrow("a gave up");
    expect(state.signal?.aborted).toBe(false);
    state.finish("v");
    expect(await pb).toBe("v");
    expect(c.inFlight).toBe(0);
  });

  test("the load is aborted when its last caller leaves", async () => {
    const c = new Coalescer<string>();
    const { state, load } = controllable();
    const a = new AbortController();
    const b = new AbortController();
    const pa = c.run("k", load, a.signal);
    const pb = c.run("k", load, b.signal);
    a.abort(new Error("a"));
    b.abort(new Error("b"));
    await expect(pa).rejects.toThrow("a");
    await expect(pb).rejects.toThrow("b");
    expect(state.signal?.aborted).toBe(true);
    state.finish("unused");
  });

  test("an already aborted caller is refused without starting a load", async () => {
    const c = new Coalescer<string>();
    const ac = new AbortController();
    ac.abort(new Error("late"));
    let started = false;
    const load = async () => {
      started = true;
      return "v";
    };
    await expect(c.run("k", load, ac.signal)).rejects.toThrow("late");
    expect(started).toBe(false);
    expect(c.inFlight).toBe(0);
  });
});

describe("LruCache", () => {
  test("evicts the least recently used entry beyond capacity", () => {
    const lru = new LruCache<number>(2);
    lru.set("a", 1, 1000);
    lru.set("b", 2, 1000);
    lru.get("a");
    lru.set("c", 3, 1000);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")?.value).toBe(1);
    expect(lru.get("c")?.value).toBe(3);
    expect(lru.size).toBe(2);
  });

  test("capacity 0 stores nothing", () => {
    const lru = new LruCache<number>(0);
    lru.set("a", 1, 1000);
    expect(lru.get("a")).toBeUndefined();
  });
});
