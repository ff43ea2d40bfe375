// Database outages on the real stack: a service's Postgres is stopped behind its pgbouncer.
// Callers get a prompt 503 (not a 500, not a 504 after the gateway's 30 s), readiness turns 503
// with a short reason, the service stays up, and everything recovers once Postgres is back.
// LOMS' outbox relay also holds a direct reserved connection: on unpatched postgres.js 3.4.9 its
// server going away killed LOMS (porsager/postgres#1208, patches/README.md); here the relay must
// survive, lose its session, and lead again (publishing new events) once Postgres returns.
// Runs under the stack lock.

import { afterAll, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { Database } from "../platform/db/postgres.ts";
import { running, until } from "./support/stack.ts";
import { http } from "./support/system.ts";

const CART = "http://127.0.0.1:8082";
const LOMS = "http://127.0.0.1:8084";
const SKU = 1148162;
const USER = 424_242;
type Service = "cart" | "loms";
const postgres = (action: "stop" | "start", service: Service) =>
  execFileSync("bash", ["scripts/stack-postgres.sh", action, service], { stdio: "inherit" });

const stopped = new Set<Service>();
afterAll(() => {
  for (const service of stopped) postgres("start", service);
});
function stop(service: Service) {
  postgres("stop", service);
  stopped.add(service);
}
function start(service: Service) {
  postgres("start", service);
  stopped.delete(service);
}

async function timed(method: string, url: string, body?: unknown) {
  const started = performance.now();
  const reply = await http(method, url, body);
  return { ...reply, ms: performance.now() - started };
}

async function expectUnready(base: string, user: string) {
  const ready = await timed("GET", `${base}/readyz`);
  expect(ready.status).toBe(503);
  expect(ready.ms).toBeLessThan(3_000);
  // A short reason, no driver text (which can name users and hosts).
  expect(ready.text.length).toBeLessThan(120);
  expect(ready.text).not.toMatch(new RegExp(`${user}@|password|127\\.0\\.0\\.1`));
}

// Recovered means every pooled connection works again, not just one: pgbouncer replaces its dead
// server connections one failed query at a time, and the next test file must not meet them.
// So: three rounds in a row of 10 concurrent requests, all 200.
async function untilOk(what: string, url: string, base: string) {
  let rounds = 0;
  await until(
    what,
    async () => {
      const replies = await Promise.all(Array.from({ length: 10 }, () => http("GET", url)));
      const ok =
        replies.every((r) => r.status === 200) && (await http("GET", `${base}/readyz`)).status === 200;
      rounds = ok ? rounds + 1 : 0;
      return rounds >= 3;
    },
    30_000,
  );
}

test("cart's database down: 503 within seconds, readiness flips, all recovers", async () => {
  expect((await http("POST", `${CART}/user/${USER}/cart/${SKU}`, { count: 1 })).status).toBe(200);
  expect((await http("GET", `${CART}/readyz`)).status).toBe(200);

  stop("cart");
  for (let i = 0; i < 3; i++) {
    const list = await timed("GET", `${CART}/user/${USER}/cart`);
    expect([list.status, (list.body as { code?: string }).code]).toEqual([503, "UNAVAILABLE"]);
    expect(list.ms).toBeLessThan(3_000);
    const add = await timed("POST", `${CART}/user/${USER}/cart/${SKU}`, { count: 1 });
    expect(add.status).toBe(503);
    expect(add.ms).toBeLessThan(3_000);
  }
  await expectUnready(CART, "cart");

  start("cart");
  await untilOk("cart to recover", `${CART}/user/${USER}/cart`, CART);
  expect((await http("POST", `${CART}/user/${USER}/cart/${SKU}`, { count: 1 })).status).toBe(200);
}, 60_000);

test("LOMS' database down: LOMS stays up, 503 within seconds, the relay leads again after", async () => {
  const stock = `${LOMS}/stock/info?sku=${SKU}`;
  expect((await http("GET", stock)).status).toBe(200);
  expect((await http("GET", `${LOMS}/readyz`)).status).toBe(200);
  await until("the relay to lead", async () => (await relayActive()) === 1, 15_000);

  stop("loms");
  // Long enough for the relay's next queries on its dead reserved connection (it polls every
  // second) and for several reconnect attempts: this is where unpatched postgres.js crashed.
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const info = await timed("GET", stock);
    expect([info.status, (info.body as { code?: string }).code]).toEqual([503, "UNAVAILABLE"]);
    expect(info.ms).toBeLessThan(3_000);
    const order = await timed("POST", `${LOMS}/order/create`, {
      user_id: USER,
      items: [{ sku: SKU, count: 1 }],
    });
    expect(order.status).toBe(503);
    expect(order.ms).toBeLessThan(3_000);
    await Bun.sleep(250);
  }
  await expectUnready(LOMS, "loms");
  expect(running("loms")).toBe(true);
  expect(await relayActive()).toBe(0);

  start("loms");
  await untilOk("LOMS to recover", stock, LOMS);
  expect(running("loms")).toBe(true);
  // The relay reopened its session, took the lock again and publishes: a new order's events
  // (a created order records "new", then "awaiting payment" or, short of stock, "failed") are
  // marked sent, which the relay does only once the broker acknowledged them.
  await until("the relay to lead again", async () => (await relayActive()) === 1, 15_000);
  const db = new Database({
    url: "postgres://loms:loms@127.0.0.1:5434/loms",
    max: 1,
    applicationName: "fault-test",
  });
  try {
    const newest = async () =>
      Number((await db.query("select coalesce(max(id), 0) from order_events_outbox", [])).rows[0]?.[0]);
    const before = await newest();
    const order = await http("POST", `${LOMS}/order/create`, {
      user_id: USER,
      items: [{ sku: SKU, count: 1 }],
    });
    expect([200, 412]).toContain(order.status);
    await until(
      "the new order's events to be published",
      async () => {
        const { rows } = await db.query(
          "select count(*), count(*) filter (where sent_at is null) from order_events_outbox where id > $1::bigint",
          [before],
        );
        return Number(rows[0]?.[0]) >= 2 && Number(rows[0]?.[1]) === 0;
      },
      15_000,
    );
  } finally {
    await db.close();
  }
}, 90_000);

async function relayActive(): Promise<number | undefined> {
  const metrics = await http("GET", `${LOMS}/metrics`);
  // e.g. `outbox_relay_active{service="loms"} 1`
  const line = metrics.text.split("\n").find((l) => /^outbox_relay_active[{ ]/.test(l));
  return line === undefined ? undefined : Number(line.split(" ").at(-1));
}
