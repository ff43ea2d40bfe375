// A database outage on the real stack: cart's Postgres is stopped behind its pgbouncer. Callers
// get a prompt 503 (not a 500, not a 504 after the gateway's 30 s), readiness turns 503 with a
// short reason, and everything recovers once Postgres is back. Runs under the stack lock.
// Cart's, not LOMS': LOMS' outbox relay holds a direct (reserved) connection, and postgres.js
// 3.4.x on Bun throws an uncatchable TypeError from nextWrite when such a connection's server
// goes away (porsager/postgres#1208, #1066), which kills the process; see the issue-13 report.

import { afterAll, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { http } from "./support/system.ts";

const CART = "http://127.0.0.1:8082";
const SKU = 1148162;
const USER = 424_242;
const postgres = (action: "stop" | "start") =>
  execFileSync("bash", ["scripts/stack-postgres.sh", action, "cart"], { stdio: "inherit" });

let stopped = false;
afterAll(() => {
  if (stopped) postgres("start");
});

async function timed(method: string, url: string, body?: unknown) {
  const started = performance.now();
  const reply = await http(method, url, body);
  return { ...reply, ms: performance.now() - started };
}

test("cart's database down: 503 within seconds, readiness flips, all recovers", async () => {
  expect((await http("POST", `${CART}/user/${USER}/cart/${SKU}`, { count: 1 })).status).toBe(200);
  expect((await http("GET", `${CART}/readyz`)).status).toBe(200);

  postgres("stop");
  stopped = true;
  for (let i = 0; i < 3; i++) {
    const list = await timed("GET", `${CART}/user/${USER}/cart`);
    expect([list.status, (list.body as { code?: string }).code]).toEqual([503, "UNAVAILABLE"]);
    expect(list.ms).toBeLessThan(3_000);
    const add = await timed("POST", `${CART}/user/${USER}/cart/${SKU}`, { count: 1 });
    expect(add.status).toBe(503);
    expect(add.ms).toBeLessThan(3_000);
  }
  const ready = await timed("GET", `${CART}/readyz`);
  expect(ready.status).toBe(503);
  expect(ready.ms).toBeLessThan(3_000);
  // A short reason, no driver text (which can name users and hosts).
  expect(ready.text.length).toBeLessThan(120);
  expect(ready.text).not.toMatch(/cart@|password|127\.0\.0\.1/);

  postgres("start");
  stopped = false;
  const deadline = Date.now() + 30_000;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await http("GET", `${CART}/user/${USER}/cart`)).status;
    if (status === 200 && (await http("GET", `${CART}/readyz`)).status === 200) break;
    await Bun.sleep(250);
  }
  expect(status).toBe(200);
  expect((await http("GET", `${CART}/readyz`)).status).toBe(200);
  expect((await http("POST", `${CART}/user/${USER}/cart/${SKU}`, { count: 1 })).status).toBe(200);
}, 60_000);
