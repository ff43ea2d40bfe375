// The product budget against misuse, end to end over gRPC sockets (CART_INPROC_PEERS=false):
// a refusal from the product service is never retried (a retry spends the budget again);
// product-mock checks the token before it spends its budget; callers with tokens nobody has
// verified cannot crowd out a legitimate user; and with Redis unreachable the in-process cache
// keeps entries for the full cache lifetime (not the short local one).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { freePort } from "./support/free-port.ts";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

/** GetProduct calls product-mock handled, by gRPC code (its own server-side counters). */
async function productCalls(sys: TestSystem, code?: string): Promise<number> {
  const text = await (await fetch(`${sys.productUrl}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith("grpc_server_handled_total{") && l.includes('grpc_method="GetProduct"'))
    .filter((l) => code === undefined || l.includes(`grpc_code="${code}"`))
    .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
}

async function catalogSkus(sys: TestSystem, count: number): Promise<number[]> {
  const listed = await http("POST", `${sys.productUrl}/list_skus`, {
    token: "testtoken",
    start_after_sku: 0,
    count,
  });
  return (listed.body as { skus: number[] }).skus;
}

describe("refusals and tokens at product-mock", () => {
  let sys: TestSystem;
  beforeAll(async () => {
    // Cart's own limit (1000) far above product-mock's (2): product-mock refuses, cart must not retry.
    sys = await startTestSystem({ PRODUCT_MOCK_RPS: "2", CART_INPROC_PEERS: "false" });
  }, 30_000);
  afterAll(async () => {
    await sys?.destroy();
  });

  test("a RESOURCE_EXHAUSTED from the product service is never retried (the caller hears 503)", async () => {
    const skus = (await catalogSkus(sys, 40)).slice(-12);
    await Bun.sleep(1_100); // product-mock's window empty again
    const before = await productCalls(sys);
    const since = Date.now();
    const adds = await Promise.all(
      skus.map((sku) => http("POST", `${sys.cartUrl}/user/31/cart/${sku}`, { count: 1 })),
    );
    // One add, one GetProduct: a retried refusal would make it more.
    expect((await productCalls(sys)) - before).toBe(skus.length);
    for (const add of adds) expect([200, 412, 503]).toContain(add.status);
    // 12 at once against 2 per second: most are refused, and the caller hears "product service
    // unavailable" (503: the caller did nothing wrong, the dependency is saturated).
    expect(adds.filter((a) => a.status === 503).length).toBeGreaterThanOrEqual(10);
    // product-mock's own record agrees: 12 arrivals, at most 2 admitted.
    const report = (await http("GET", `${sys.productUrl}/calls?since=${since}`)).body as Record<
      string,
      number
    >;
    expect(report.calls).toBe(12);
    expect(report.refused).toBeGreaterThanOrEqual(10);
    expect(report.busiest_window).toBeGreaterThan(2);
    expect((await http("GET", `${sys.productUrl}/calls?since=yesterday`)).status).toBe(400);
  }, 30_000);

  test("product-mock refuses a bad token before it spends its rate limit", async () => {
    await Bun.sleep(1_100);
    for (let i = 0; i < 5; i++) {
      const bad = await http("POST", `${sys.productUrl}/get_product`, {
        token: `stranger-${i}`,
        sku: 1148162,
      });
      expect(bad.status).toBe(401);
    }
    const good = await http("POST", `${sys.productUrl}/get_product`, { token: "testtoken", sku: 1148162 });
    expect(good.status).toBe(200);
  }, 30_000);
});

describe("strangers flooding cart", () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startTestSystem({
      PRODUCT_MOCK_RPS: "10",
      CART_PRODUCT_RPS_LIMIT: "10",
      CART_INPROC_PEERS: "false",
      PRODUCT_MOCK_GENERATED: "500",
    });
  }, 30_000);
  afterAll(async () => {
    await sys?.destroy();
  });

  test("20 random-token requests/s: a legitimate user's adds and listings stay fast", async () => {
    const skus = (await catalogSkus(sys, 500)).slice(-60);
    // The legitimate caller's token is verified once, before the flood.
    expect((await http("POST", `${sys.cartUrl}/user/41/cart/1148162`, { count: 1 })).status).toBe(200);
    const floodStatuses = new Map<number, number>();
    const flood: Promise<void>[] = [];
    let floodOn = true;
    const floodLoop = (async () => {
      for (let i = 0; floodOn; i++) {
        const token = `random-${crypto.randomUUID()}`;
        flood.push(
          http(
            "POST",
            `${sys.cartUrl}/user/${900 + i}/cart/${skus[i % 30]}`,
            { count: 1 },
            {
              "x-auth-token": token,
            },
          ).then((r) => {
            floodStatuses.set(r.status, (floodStatuses.get(r.status) ?? 0) + 1);
          }),
        );
        await Bun.sleep(50); // 20 per second
      }
    })();
    await Bun.sleep(1_000); // let the flood build up
    // The legitimate user: add a product nobody has looked up yet, then list, every 500 ms. A
    // step that takes over 5 s is recorded as 5 s and the test goes on (the flood must stop).
    const timings: number[] = [];
    const statuses: number[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const started = performance.now();
        const step = async () => {
          const add = await http("POST", `${sys.cartUrl}/user/41/cart/${skus[30 + i]}`, { count: 1 });
          const list = await http("GET", `${sys.cartUrl}/user/41/cart`);
          statuses.push(add.status, list.status);
        };
        await Promise.race([step(), Bun.sleep(5_000)]);
        timings.push(performance.now() - started);
        await Bun.sleep(500);
      }
    } finally {
      floodOn = false;
      await floodLoop;
      await Promise.all(flood);
    }
    console.log(
      `legitimate add+list under a 20/s random-token flood: ms ${timings.map((t) => t.toFixed(0)).join(" ")}; flood statuses`,
      Object.fromEntries(floodStatuses),
    );
    for (const status of statuses) expect([200, 412]).toContain(status);
    // Strangers get 401 (refused token) or 429 (over the unverified-token cap), never a 5xx.
    for (const status of floodStatuses.keys()) expect([401, 429]).toContain(status);
    // Each add needs one product call; at 10 per second, one free permit is at most ~1 s away.
    expect(Math.max(...timings)).toBeLessThan(1_000);
    expect(await productCalls(sys, "ResourceExhausted")).toBe(0);
  }, 60_000);
});

describe("Redis unreachable", () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startTestSystem({
      CART_INPROC_PEERS: "false",
      // Nothing listens there: every Redis command fails, as with the shards stopped.
      CART_REDIS_URLS: `redis://127.0.0.1:${await freePort()}`,
      CART_PRODUCT_CACHE_LOCAL_TTL_MS: "300",
      CART_PRODUCT_CACHE_TTL_MS: "60000",
    });
  }, 30_000);
  afterAll(async () => {
    await sys?.destroy();
  });

  test("the in-process cache keeps entries for the full cache TTL when Redis cannot", async () => {
    expect((await http("POST", `${sys.cartUrl}/user/51/cart/1148162`, { count: 1 })).status).toBe(200);
    const afterAdd = await productCalls(sys);
    await Bun.sleep(600); // twice the local TTL
    expect((await http("GET", `${sys.cartUrl}/user/51/cart`)).status).toBe(200);
    expect(await productCalls(sys)).toBe(afterAdd);
  }, 30_000);
});
