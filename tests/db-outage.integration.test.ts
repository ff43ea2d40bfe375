// A database outage on the real stack: LOMS' Postgres is stopped behind its pgbouncer. Callers
// get a prompt 503 (not a 500, not a 504 after the gateway's 30 s), readiness turns 503 with a
// short reason, and everything recovers once Postgres is back. Runs under the stack lock.

import { afterAll, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { http } from "./support/system.ts";

const CART = "http://127.0.0.1:8082";
const LOMS = "http://127.0.0.1:8084";
const SKU = 1148162;
const postgres = (action: "stop" | "start") =>
  execFileSync("bash", ["scripts/stack-postgres.sh", action, "loms"], { stdio: "inherit" });

let stopped = false;
afterAll(() => {
  if (stopped) postgres("start");
});

async function timed(method: string, url: string, body?: unknown) {
  const started = performance.now();
  const reply = await http(method, url, body);
  return { ...reply, ms: performance.now() - started };
}

test("LOMS' database down: 503 within seconds, readiness flips, all recovers", async () => {
  expect((await http("GET", `${LOMS}/readyz`)).status).toBe(200);
  expect((await http("GET", `${LOMS}/stock/info?sku=${SKU}`)).status).toBe(200);

  postgres("stop");
  stopped = true;
  for (let i = 0; i < 3; i++) {
    const stock = await timed("GET", `${LOMS}/stock/info?sku=${SKU}`);
    expect([stock.status, (stock.body as { code?: string }).code]).toEqual([503, "UNAVAILABLE"]);
    expect(stock.ms).toBeLessThan(3_000);
    // Cart meets the outage through LOMS: still a prompt 503, not LOMS' problem passed on as 500.
    const add = await timed("POST", `${CART}/user/424242/cart/${SKU}`, { count: 1 });
    expect(add.status).toBe(503);
    expect(add.ms).toBeLessThan(3_000);
  }
  const ready = await timed("GET", `${LOMS}/readyz`);
  expect(ready.status).toBe(503);
  expect(ready.ms).toBeLessThan(3_000);
  // A short reason, no driver text (which can name users and hosts).
  expect(ready.text.length).toBeLessThan(120);
  expect(ready.text).not.toMatch(/loms@|password|127\.0\.0\.1/);

  postgres("start");
  stopped = false;
  const deadline = Date.now() + 30_000;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await http("GET", `${LOMS}/stock/info?sku=${SKU}`)).status;
    if (status === 200 && (await http("GET", `${LOMS}/readyz`)).status === 200) break;
    await Bun.sleep(250);
  }
  expect(status).toBe(200);
  expect((await http("GET", `${LOMS}/readyz`)).status).toBe(200);
  expect((await http("POST", `${CART}/user/424242/cart/${SKU}`, { count: 1 })).status).toBe(200);
}, 60_000);
