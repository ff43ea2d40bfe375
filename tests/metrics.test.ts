// The metrics a dashboard reads, through the services' /metrics over HTTP after real traffic:
// business counters and gauges move by exactly what was done, the saturation gauges exist, and
// every service's exposition passes `promtool check metrics` (Prometheus' own linter).

import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

let sys: TestSystem;
// Starting Postgres and four services takes longer than bun's 5 s default on a busy machine.
beforeAll(async () => {
  sys = await startTestSystem({ PRODUCT_MOCK_GENERATED: "100" });
}, 60_000);
afterAll(async () => {
  await sys?.destroy();
});

const scrape = async (url: string) => (await fetch(`${url}/metrics`)).text();
const value = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(series));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
};

test("labelled counters a dashboard plots read 0 for every known label before the first event", async () => {
  const cart = await scrape(sys.cartUrl);
  for (const reason of [
    "empty_cart",
    "insufficient_stock",
    "bad_request",
    "dependency_unavailable",
    "timeout",
    "rate_limited",
    "conflict",
    "internal",
  ]) {
    expect({
      reason,
      value: value(cart, `cart_checkout_failures_total{reason="${reason}",service="cart"}`),
    }).toEqual({ reason, value: 0 });
  }
  expect(value(cart, 'cart_checkouts_after_spent_key_total{service="cart"}')).toBe(0);
  const notifications = await scrape(sys.notificationsUrl);
  for (const outcome of ["notified", "duplicate", "poison"]) {
    expect(notifications).toContain(
      `notifications_events_total{outcome="${outcome}",service="notifications"} 0`,
    );
  }
});

test("cart and LOMS count what was done: items added, checkouts and their failures, orders by status", async () => {
  const user = 7001;
  expect((await http("POST", `${sys.cartUrl}/user/${user}/cart/1148162`, { count: 2 })).status).toBe(200);
  expect((await http("POST", `${sys.cartUrl}/user/${user}/cart/1076963`, { count: 1 })).status).toBe(200);
  expect((await http("POST", `${sys.cartUrl}/checkout/${user}`)).status).toBe(200);
  expect((await http("POST", `${sys.cartUrl}/checkout/${user}`)).status).toBe(404);

  const cart = await scrape(sys.cartUrl);
  expect(value(cart, 'cart_items_added_total{service="cart"}')).toBe(3);
  expect(value(cart, 'cart_checkouts_total{service="cart"}')).toBe(1);
  expect(value(cart, 'cart_checkout_failures_total{reason="empty_cart",service="cart"}')).toBe(1);
  expect(value(cart, 'db_pool_size{pool="cart",service="cart"}')).toBe(10);
  expect(value(cart, 'worker_pool_size{pool="product-lookups",service="cart"}')).toBe(10);
  expect(value(cart, 'worker_pool_in_use{pool="product-lookups",service="cart"}')).toBe(0);
  // Every product call took a permit; the histogram counts them all, waits or not.
  expect(
    value(cart, 'rate_limiter_wait_seconds_count{service="cart",limiter="product-service"}'),
  ).toBeGreaterThan(0);
  expect(cart).toMatch(/grpc_client_handled_total\{[^}]*grpc_method="OrderCreate",grpc_code="OK"[^}]*\} 1\n/);

  const loms = await scrape(sys.lomsUrl);
  expect(value(loms, 'loms_orders{status="awaiting payment",service="loms"}')).toBeGreaterThanOrEqual(1);
  expect(loms).toMatch(/grpc_server_handled_total\{[^}]*grpc_method="OrderCreate",grpc_code="OK"[^}]*\} 1\n/);
});

test("every service's exposition passes promtool check metrics", async () => {
  const promtool = spawnSync("promtool", ["--version"]);
  if (promtool.error) {
    console.warn("promtool not installed: skipping the lint (the stack's scripts install it)");
    return;
  }
  for (const url of [sys.cartUrl, sys.lomsUrl, sys.productUrl]) {
    const check = spawnSync("promtool", ["check", "metrics"], { input: await scrape(url), encoding: "utf8" });
    expect({ url, out: `${check.stdout}${check.stderr}`.trim(), status: check.status }).toEqual({
      url,
      out: "",
      status: 0,
    });
  }
});
