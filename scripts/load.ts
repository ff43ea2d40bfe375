// A steady load that makes dashboards and traces move: virtual users each loop through add
// (1–3 lines) → list → checkout → pay or cancel, for a given time, with a few failures on
// purpose (an unknown SKU, a SKU with no stock left, a zero count, checking out an empty cart)
// so that error ratios and checkout-failure reasons are never empty.
//
//   bun scripts/load.ts [--seconds 60] [--users 4] [--cart URL] [--loms URL]
//   make load LOAD_SECONDS=60 LOAD_USERS=4
// Product look-ups are rate limited (10 RPS by default), which bounds the pace: a few users
// are enough.

import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: process.env.LOAD_SECONDS || "60" },
    users: { type: "string", default: process.env.LOAD_USERS || "4" },
    cart: { type: "string", default: "http://127.0.0.1:8082" },
    loms: { type: "string", default: "http://127.0.0.1:8084" },
  },
});
const seconds = Number(values.seconds);
const users = Number(values.users);
if (!(seconds > 0) || !(users > 0)) throw new Error("--seconds and --users must be positive numbers");

// The seed's two deep stocks (65534 and 10000 units), so that paid orders do not drain the
// small stocks other tests and people rely on (stack data persists between runs).
const SKUS = [139275865, 1625903];
const OUT_OF_STOCK = 139819069; // total 100, reserved 100
const UNKNOWN = 999_999_999;

const tally = new Map<string, number>();
async function call(
  op: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  }).catch((err: Error) => {
    tally.set(`${op} network-error`, (tally.get(`${op} network-error`) ?? 0) + 1);
    throw err;
  });
  const text = await res.text();
  tally.set(`${op} ${res.status}`, (tally.get(`${op} ${res.status}`) ?? 0) + 1);
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;

async function oneRound(user: number, round: number): Promise<void> {
  const lines = 1 + Math.floor(Math.random() * 3);
  for (let i = 0; i < lines; i++) {
    await call("add", "POST", `${values.cart}/user/${user}/cart/${pick(SKUS)}`, { count: 1 });
  }
  // About one round in ten carries a mistake of some kind.
  if (round % 10 === 3)
    await call("add", "POST", `${values.cart}/user/${user}/cart/${UNKNOWN}`, { count: 1 });
  if (round % 10 === 6)
    await call("add", "POST", `${values.cart}/user/${user}/cart/${OUT_OF_STOCK}`, { count: 1 });
  if (round % 10 === 8)
    await call("add", "POST", `${values.cart}/user/${user}/cart/${pick(SKUS)}`, { count: 0 });
  await call("list", "GET", `${values.cart}/user/${user}/cart`);
  const res = await call("checkout", "POST", `${values.cart}/checkout/${user}`);
  if (res.status !== 200) return;
  const orderId = (res.json as { order_id: number }).order_id;
  await call("order-info", "GET", `${values.loms}/order/info?order_id=${orderId}`);
  // Most orders are paid, some cancelled; the rest stay unpaid for the expiry loop.
  const fate = Math.random();
  if (fate < 0.7) await call("pay", "POST", `${values.loms}/order/pay`, { order_id: orderId });
  else if (fate < 0.9) await call("cancel", "POST", `${values.loms}/order/cancel`, { order_id: orderId });
}

async function virtualUser(index: number, until: number): Promise<void> {
  const user = 5_000_000 + index * 100_000 + Math.floor(Math.random() * 90_000);
  for (let round = 0; Date.now() < until; round++) {
    await oneRound(user, round).catch(() => {});
    if (round % 10 === 5) await call("checkout", "POST", `${values.cart}/checkout/${user}`).catch(() => {}); // empty: 404
    await Bun.sleep(100); // a steady pace rather than a flood
  }
}

const started = Date.now();
const until = started + seconds * 1000;
console.log(`load: ${users} users for ${seconds}s against ${values.cart} and ${values.loms}`);
await Promise.all(Array.from({ length: users }, (_, i) => virtualUser(i, until)));
const total = [...tally.values()].reduce((a, b) => a + b, 0);
console.log(`load: ${total} requests in ${((Date.now() - started) / 1000).toFixed(1)}s`);
for (const [key, n] of [...tally].sort()) console.log(`  ${key.padEnd(22)} ${n}`);
