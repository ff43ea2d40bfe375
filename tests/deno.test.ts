// The whole system on Deno: the embedded mode started with `deno run`, then the purchase path
// through its gateways. Service and platform code use only node: built-ins, web standards and
// npm packages, so the same files run on both runtimes.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./support/free-port.ts";
import { http } from "./support/system.ts";
import { waitUntilReady } from "./support/wait.ts";

let deno: ChildProcess;
let dir: string;
let cart: string;
let loms: string;
let notifications: string;
let output = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "marketplace-deno-"));
  chmodSync(dir, 0o755); // Postgres runs as its own user and must reach its data dir inside
  const ports = await Promise.all(Array.from({ length: 8 }, freePort));
  const [pg, cartHttp, cartGrpc, lomsHttp, lomsGrpc, productHttp, productGrpc, notificationsHttp] =
    ports.map(String);
  cart = `http://127.0.0.1:${cartHttp}`;
  loms = `http://127.0.0.1:${lomsHttp}`;
  notifications = `http://127.0.0.1:${notificationsHttp}`;
  deno = spawn("node_modules/.bin/deno", ["run", "-A", "scripts/embedded.ts"], {
    env: {
      ...process.env,
      LOG_LEVEL: "warn",
      EMBEDDED_PG_DIR: join(dir, "pg"),
      EMBEDDED_PG_PORT: pg,
      CART_HTTP_PORT: cartHttp,
      CART_GRPC_PORT: cartGrpc,
      LOMS_HTTP_PORT: lomsHttp,
      LOMS_GRPC_PORT: lomsGrpc,
      PRODUCT_MOCK_HTTP_PORT: productHttp,
      PRODUCT_MOCK_GRPC_PORT: productGrpc,
      NOTIFICATIONS_HTTP_PORT: notificationsHttp,
      CART_PRODUCT_ADDR: `127.0.0.1:${productGrpc}`,
      CART_LOMS_ADDR: `127.0.0.1:${lomsGrpc}`,
    },
  });
  deno.stdout?.on("data", (d) => (output += d));
  deno.stderr?.on("data", (d) => (output += d));
  await waitUntilReady(`${cart}/readyz`, 60_000, () =>
    deno.exitCode !== null ? `Deno exited (${deno.exitCode})` : undefined,
  ).catch((err: Error) => {
    throw new Error(`Deno embedded mode did not start: ${err.message}\n${output}`);
  });
}, 90_000);

afterAll(async () => {
  if (deno && deno.exitCode === null) {
    const exited = new Promise((r) => deno.once("exit", r));
    deno.kill("SIGTERM");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

test("add, list, checkout and pay on Deno", async () => {
  expect((await http("POST", `${cart}/user/1/cart/1148162`, { count: 2 })).status).toBe(200);
  expect((await http("GET", `${cart}/user/1/cart`)).body).toEqual({
    items: [{ sku: 1148162, name: "Кулинар Гуров", count: 2, price: 2931 }],
    total_price: 5862,
  });
  const { order_id } = (await http("POST", `${cart}/checkout/1`)).body as { order_id: number };
  expect((await http("POST", `${loms}/order/pay`, { order_id })).status).toBe(200);
  expect((await http("GET", `${loms}/order/info?order_id=${order_id}`)).body).toMatchObject({
    status: "payed",
  });
  expect((await http("POST", `${cart}/user/1/cart/1148162`, "{broken")).status).toBe(400);
  // The outbox relay (LISTEN/NOTIFY on Deno too) and the notifications consumer.
  let statuses: string[] = [];
  for (const until = Date.now() + 5_000; statuses.length < 3 && Date.now() < until; await Bun.sleep(50)) {
    const listed = (await http("GET", `${notifications}/notifications?order_id=${order_id}`)).body as {
      notifications: { status: string }[];
    };
    statuses = listed.notifications.map((n) => n.status);
  }
  expect(statuses).toEqual(["new", "awaiting payment", "payed"]);
});

test("SIGTERM shuts Deno down cleanly", async () => {
  const exited = new Promise<number | null>((r) => deno.once("exit", (code) => r(code)));
  deno.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(output).not.toContain('"level":50');
}, 30_000);
