// A checkout retry neither drops nor adds cart lines, proven over the cart gateway against the
// real system. The first attempt is made to commit in LOMS but fail for its caller the way a real
// fault does it, with no hook in the services: a test transaction holds the cart's rows locked,
// so cart's cleanup after LOMS answered cannot finish within its own timeout; the caller gets an
// error while LOMS keeps the order. The cart is then exactly as it was, still holding the key
// LOMS stored with the order — the state a lost answer leaves behind.
// A retry that finds the key spent is counted on cart's /metrics
// (cart_checkouts_after_spent_key_total): with a changed cart it leaves an order behind.

import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { lomsGateway } from "./support/loms.ts";
import { http, startTestSystem, type TestSystem } from "./support/system.ts";

let sys: TestSystem;
let cartSql: postgres.Sql;
let lomsSql: postgres.Sql;
beforeAll(async () => {
  sys = await startTestSystem();
  cartSql = postgres(sys.databaseUrl("cart"), { max: 2, onnotice: () => {} });
  lomsSql = postgres(sys.databaseUrl("loms"), { max: 2, onnotice: () => {} });
}, 60_000);
afterAll(async () => {
  await cartSql?.end();
  await lomsSql?.end();
  await sys?.destroy();
});

const loms = lomsGateway(() => sys.lomsUrl);
const A = 2618151; // 300/0
const B = 2958025; // 300/0
const C = 3596599; // 300/0
const D = 3618852; // 300/0
const E = 4288068; // 300/0

interface Line {
  sku: number;
  count: number;
}

const add = async (user: number, sku: number, count: number) =>
  expect((await http("POST", `${sys.cartUrl}/user/${user}/cart/${sku}`, { count })).status).toBe(200);
const checkout = (user: number) => http("POST", `${sys.cartUrl}/checkout/${user}`);
const cartLines = async (user: number): Promise<Line[]> => {
  const res = await http("GET", `${sys.cartUrl}/user/${user}/cart`);
  if (res.status === 404) return [];
  return (res.body as { items: Line[] }).items.map(({ sku, count }) => ({ sku, count }));
};
const orderOf = async (id: number) =>
  (await http("GET", `${sys.lomsUrl}/order/info?order_id=${id}`)).body as { status: string; items: Line[] };
const ordersOfUser = async (user: number): Promise<number[]> =>
  (await lomsSql`select id from orders where user_id = ${user} order by id`).map((r) => Number(r.id));

/** Cart's count of checkouts that found their key spent and made a new order, from /metrics. */
async function afterSpentKey(): Promise<number> {
  const text = await (await fetch(`${sys.cartUrl}/metrics`)).text();
  const series = 'cart_checkouts_after_spent_key_total{service="cart"} ';
  const line = text.split("\n").find((l) => l.startsWith(series));
  if (line === undefined) throw new Error(`cart's /metrics has no ${series.trim()}`);
  return Number(line.slice(series.length));
}

/** Runs `work` while a transaction holds locks taken by `lock`; releases them afterwards. */
async function whileLocked<T>(sql: postgres.Sql, lock: string, params: unknown[], work: () => Promise<T>) {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked = () => {};
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const holder = sql.begin(async (tx) => {
    await tx.unsafe(lock, params as postgres.ParameterOrJSON<never>[]);
    locked();
    await released;
  });
  await isLocked;
  try {
    return await work();
  } finally {
    release();
    await holder;
  }
}

/** Blocks until some query in LOMS' database waits for a lock (the create reached the stock row). */
async function untilLomsWaitsForLock() {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const [row] = await lomsSql`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`;
    if ((row?.n ?? 0) > 0) return;
    await Bun.sleep(20);
  }
  throw new Error("LOMS never waited for the stock row lock");
}

/**
 * A checkout that commits its order in LOMS but fails for its caller; returns the order LOMS
 * made. The cart's rows are locked throughout, so the cleanup times out and changes nothing.
 */
async function lostCheckout(user: number): Promise<number> {
  const before = await ordersOfUser(user);
  const reply = await whileLocked(
    cartSql,
    "select 1 from cart_items where user_id = $1 for update",
    [user],
    () => checkout(user),
  );
  expect(reply.status).toBe(504); // the cleanup gave up: DEADLINE_EXCEEDED, not the caller's 499
  const made = (await ordersOfUser(user)).filter((id) => !before.includes(id));
  expect(made).toHaveLength(1);
  return made[0] as number;
}

test("a lost checkout retried unchanged answers the same order and clears the cart", async () => {
  const before = await loms.available(E);
  await add(81, E, 2);
  const lost = await lostCheckout(81);
  expect(await cartLines(81)).toEqual([{ sku: E, count: 2 }]);
  const spentBefore = await afterSpentKey();

  const retry = await checkout(81);
  expect(retry).toMatchObject({ status: 200, body: { order_id: lost } });
  expect(await cartLines(81)).toEqual([]);
  expect(await loms.available(E)).toBe(before - 2);
  // The key's own order answered: nothing left behind, nothing counted.
  expect(await afterSpentKey()).toBe(spentBefore);
}, 30_000);

test("a lost checkout retried after adding a line orders the cart as it is now and drops nothing", async () => {
  await add(82, A, 1);
  const lost = await lostCheckout(82);
  expect(await orderOf(lost)).toMatchObject({ status: "awaiting payment", items: [{ sku: A, count: 1 }] });
  await add(82, B, 2);
  const spentBefore = await afterSpentKey();

  const retry = await checkout(82);
  expect(retry.status).toBe(200);
  // The key was spent on {A}, which the user never saw: counted, as that order is left behind.
  expect(await afterSpentKey()).toBe(spentBefore + 1);
  const orderId = (retry.body as { order_id: number }).order_id;
  // Nothing dropped: every line the user had is in the answered order or still in the cart.
  const orderedOrKept = [...(await orderOf(orderId)).items, ...(await cartLines(82))];
  expect(orderedOrKept.sort((x, y) => x.sku - y.sku)).toEqual([
    { sku: A, count: 1 },
    { sku: B, count: 2 },
  ]);
  // The key covered {A}; the cart now is {A, B}: a new order for exactly what the user checks out.
  expect(orderId).not.toBe(lost);
  expect((await orderOf(orderId)).items).toEqual([
    { sku: A, count: 1 },
    { sku: B, count: 2 },
  ]);
  expect(await cartLines(82)).toEqual([]);
}, 30_000);

test("a lost checkout whose order was cancelled meanwhile makes a new order on retry", async () => {
  const before = await loms.available(C);
  await add(83, C, 3);
  const lost = await lostCheckout(83);
  expect((await http("POST", `${sys.lomsUrl}/order/cancel`, { order_id: lost })).status).toBe(200);
  const spentBefore = await afterSpentKey();

  const retry = await checkout(83);
  expect(retry.status).toBe(200);
  expect(await afterSpentKey()).toBe(spentBefore + 1);
  const orderId = (retry.body as { order_id: number }).order_id;
  expect(orderId).not.toBe(lost);
  expect(await orderOf(orderId)).toMatchObject({ status: "awaiting payment", items: [{ sku: C, count: 3 }] });
  expect(await cartLines(83)).toEqual([]);
  expect(await loms.available(C)).toBe(before - 3);
}, 30_000);

test("units added while a checkout runs stay in the cart: only what the order holds is removed", async () => {
  await add(84, D, 1);
  const { pending } = await whileLocked(
    lomsSql,
    "select 1 from stocks where sku = $1 for update",
    [D],
    async () => {
      const pending = checkout(84);
      await untilLomsWaitsForLock();
      await add(84, D, 2); // the cart now holds 3 of D; the order being made holds 1
      return { pending }; // awaited once the lock is released
    },
  );
  const reply = await pending;
  expect(reply.status).toBe(200);
  const orderId = (reply.body as { order_id: number }).order_id;
  expect((await orderOf(orderId)).items).toEqual([{ sku: D, count: 1 }]);
  expect(await cartLines(84)).toEqual([{ sku: D, count: 2 }]);
}, 30_000);
