// Extra cart processes against the running stack (its env file, own free ports), and
// product-mock's own record of the calls it received (`GET /calls`, product-mock/budget.ts) —
// the evidence for the product budget tests, independent of cart.

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { stopChild } from "./child.ts";
import { freePort } from "./free-port.ts";
import { http } from "./system.ts";

const PRODUCT_URL = "http://127.0.0.1:8083";

export interface Cart {
  readonly child: ChildProcess;
  readonly url: string;
}

function stackEnv(service = "cart"): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(`deploy/env/${service}.env`, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1]) env[m[1]] = m[2] ?? "";
  }
  return env;
}

async function waitReady(url: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await Bun.sleep(100);
  }
  throw new Error(`${url} not ready`);
}

/**
 * Starts `count` cart processes with the stack's env plus `env`. CART_MAIN names another
 * cart/main.ts (e.g. an older checkout's) to run the same scenario against it.
 */
export async function startCarts(count: number, env: Record<string, string> = {}): Promise<Cart[]> {
  const main = process.env.CART_MAIN ?? fileURLToPath(new URL("../../cart/main.ts", import.meta.url));
  const carts: Cart[] = [];
  for (let i = 0; i < count; i++) {
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const child = spawn("node_modules/.bin/bun", [main], {
      env: {
        ...process.env,
        ...stackEnv(),
        LOG_LEVEL: "warn",
        CART_HTTP_PORT: String(httpPort),
        CART_GRPC_PORT: String(grpcPort),
        ...env,
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    carts.push({ child, url: `http://127.0.0.1:${httpPort}` });
  }
  await Promise.all(carts.map((c) => waitReady(c.url)));
  return carts;
}

export async function stopCarts(carts: readonly Cart[]): Promise<void> {
  await Promise.all(carts.map(({ child }) => stopChild(child)));
}

/** `count` distinct generated SKUs (product-mock: 900000000 + i·7919), none in the stack's cache. */
export async function uncachedSkus(count: number): Promise<number[]> {
  const first = Math.floor(Math.random() * (5000 - count));
  const skus = Array.from({ length: count }, (_, i) => 900_000_000 + (first + i) * 7919);
  for (const port of [6379, 6380]) {
    const redis = new Redis({ port, lazyConnect: true });
    await redis.connect();
    await redis.del(...skus.map((sku) => `cache:product:${sku}`));
    redis.disconnect();
  }
  return skus;
}

export interface CallReport {
  readonly calls: number;
  readonly refused: number;
  readonly busiest_window: number;
  readonly window_ms: number;
}

/** product-mock's record of authenticated calls since `sinceMs` (unix ms). */
export async function productCallsSince(sinceMs: number): Promise<CallReport> {
  return (await (await fetch(`${PRODUCT_URL}/calls?since=${sinceMs}`)).json()) as CallReport;
}

/**
 * Every cart adds distinct SKUs (each add is one product look-up) from `workers` loops each,
 * for `runMs`; answers the statuses seen.
 */
export async function driveLookups(
  carts: readonly Cart[],
  skus: readonly number[],
  runMs: number,
  workers = 4,
): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  const started = Date.now();
  const user = 2_000_000 + Math.floor(Math.random() * 1_000_000);
  await Promise.all(
    carts.flatMap(({ url }) =>
      Array.from({ length: workers }, async () => {
        while (Date.now() - started < runMs && next < skus.length) {
          const sku = skus[next++];
          const { status } = await http("POST", `${url}/user/${user}/cart/${sku}`, { count: 1 });
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    ),
  );
  return statuses;
}

/** A gauge's value in a service's /metrics (first matching line). */
export async function gauge(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return Number(line?.split(" ").pop());
}
