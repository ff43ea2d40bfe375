// LOMS repositories against a real Postgres (embedded): migrations from empty, every query,
// rollback, and the no-overselling guarantee under concurrency.

import { beforeAll, describe, expect, setSystemTime, test } from "bun:test";
import * as o from "../gen/sql/loms/outbox_sql.ts";
import * as s from "../gen/sql/loms/stocks_sql.ts";
import type { Database } from "../platform/db/postgres.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { backgroundCtx } from "../platform/rpc/context.ts";
import { requestIdKey, withValue } from "../platform/rpc/context-values.ts";
import { AppError } from "../platform/rpc/errors.ts";
import { useServiceDatabase } from "../tests/support/postgres.ts";
import { runExpiryLoop } from "./expiry.ts";
import { type OrderItem, OrderStatus, type StatusChange } from "./model.ts";
import { PgLomsStore } from "./repo.ts";
import { seedStocksOnce } from "./seed.ts";
import { LomsUsecase } from "./usecase.ts";

const database = useServiceDatabase("loms");
let db: Database;
let store: PgLomsStore;
const ctx = backgroundCtx();

beforeAll(() => {
  db = database();
  store = new PgLomsStore(db);
});

async function putStock(sku: number, total: number, reserved = 0) {
  await db.query("insert into stocks (sku, total_count, reserved) values ($1, $2, $3)", [
    sku,
    total,
    reserved,
  ]);
}

describe("seed", () => {
  test("loads the stock seed exactly once", async () => {
    const signal = new AbortController().signal;
    expect(await seedStocksOnce(db, "sql/loms/seed/stocks.json", signal)).toBe(true);
    await db.query("update stocks set reserved = 1 where sku = 1148162", []);
    expect(await seedStocksOnce(db, "sql/loms/seed/stocks.json", signal)).toBe(false);
    expect(await store.stocks.get(ctx, 1148162)).toEqual({ sku: 1148162, totalCount: 300, reserved: 1 });
    expect(await store.stocks.get(ctx, 139818428)).toEqual({
      sku: 139818428,
      totalCount: 100,
      reserved: 101,
    });
    const count = await db.query("select count(*) from stocks", []);
    expect(Number(count.rows[0]?.[0])).toBe(17);
  });
});

/** A status change as the use cases stamp it. */
const stamp = (status: OrderStatus): StatusChange => ({
  eventId: crypto.randomUUID(),
  status,
  moment: new Date(),
});

/** Creates an order in its own transaction; fails when the checkout key is already taken. */
async function insert(
  userId: number,
  status: OrderStatus,
  items: OrderItem[],
  key?: string,
): Promise<number> {
  const id = await store.inTx(ctx, (tx) => tx.orders.create(ctx, userId, items, key, stamp(status)));
  if (id === null) throw new Error(`checkout key ${key} is taken`);
  return id;
}

describe("orders", () => {
  test("a checkout key creates one order: a repeat inserts nothing, the key finds the first", async () => {
    const id = await insert(8, OrderStatus.New, [{ sku: 2, count: 1 }], "key-1");
    expect(
      await store.inTx(ctx, (tx) =>
        tx.orders.create(ctx, 8, [{ sku: 2, count: 5 }], "key-1", stamp(OrderStatus.New)),
      ),
    ).toBeNull();
    expect(await store.orders.getByCheckoutKey(ctx, "key-1")).toEqual({
      id,
      userId: 8,
      status: OrderStatus.New,
      items: [{ sku: 2, count: 1 }],
    });
    expect(await store.orders.getByCheckoutKey(ctx, "key-2")).toBeNull();
    // Orders without a key never conflict with each other.
    expect(await insert(8, OrderStatus.New, [{ sku: 2, count: 1 }])).not.toBe(
      await insert(8, OrderStatus.New, [{ sku: 2, count: 1 }]),
    );
  });

  test("create, get with items sorted, status changes", async () => {
    const id = await insert(5, OrderStatus.New, [
      { sku: 10, count: 1 },
      { sku: 3, count: 2 },
    ]);
    expect(await store.orders.get(ctx, id)).toEqual({
      id,
      userId: 5,
      status: OrderStatus.New,
      items: [
        { sku: 3, count: 2 },
        { sku: 10, count: 1 },
      ],
    });
    await store.orders.setStatus(ctx, id, stamp(OrderStatus.Failed));
    expect((await store.orders.get(ctx, id))?.status).toBe(OrderStatus.Failed);
    expect(await store.orders.get(ctx, 987654)).toBeNull();
  });

  test("setStatus of a missing order fails", async () => {
    await expect(store.orders.setStatus(ctx, 987654, stamp(OrderStatus.Payed))).rejects.toBeInstanceOf(
      AppError,
    );
  });

  test("the status CHECK rejects values outside the five statuses", async () => {
    await expect(
      db.query("insert into orders (user_id, status) values (1, 'shipped')", []),
    ).rejects.toThrow();
  });

  test("a transaction rolls back entirely when its work throws", async () => {
    const before = await db.query("select count(*) from orders", []);
    await expect(
      store.inTx(ctx, async (tx) => {
        await tx.orders.create(ctx, 6, [{ sku: 1, count: 1 }], undefined, stamp(OrderStatus.New));
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const after = await db.query("select count(*) from orders", []);
    expect(after.rows).toEqual(before.rows);
  });

  test("claimExpired returns only orders awaiting payment since before the cut-off, and skips locked ones", async () => {
    const old = await insert(7, OrderStatus.AwaitingPayment, [{ sku: 1, count: 1 }]);
    const locked = await insert(7, OrderStatus.AwaitingPayment, [{ sku: 1, count: 1 }]);
    const payed = await insert(7, OrderStatus.Payed, [{ sku: 1, count: 1 }]);
    await db.query("update orders set updated_at = now() - interval '1 hour' where id = any($1::bigint[])", [
      [old, locked, payed],
    ]);
    // Another transaction holds `locked`; a second claimer must skip it rather than wait.
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    let lockTaken = () => {};
    const taken = new Promise<void>((r) => (lockTaken = r));
    const holder = store.inTx(ctx, async (tx) => {
      await tx.orders.getForUpdate(ctx, locked);
      lockTaken();
      await held;
    });
    await taken;
    const claimed = await store.inTx(ctx, (tx) => tx.orders.claimExpired(ctx, 10 * 60_000, 10));
    release();
    await holder;
    expect(claimed.map((o) => o.id)).toEqual([old]);
    expect(claimed[0]?.items).toEqual([{ sku: 1, count: 1 }]);
  });
});

describe("stocks", () => {
  test("reserveAll is all or nothing", async () => {
    await putStock(501, 10);
    await putStock(502, 1);
    const ok = await store.inTx(ctx, (tx) =>
      tx.stocks.reserveAll(ctx, [
        { sku: 501, count: 4 },
        { sku: 502, count: 2 },
      ]),
    );
    expect(ok).toBe(false);
    expect(await store.stocks.get(ctx, 501)).toEqual({ sku: 501, totalCount: 10, reserved: 0 });
    expect(
      await store.inTx(ctx, (tx) =>
        tx.stocks.reserveAll(ctx, [
          { sku: 501, count: 4 },
          { sku: 502, count: 1 },
        ]),
      ),
    ).toBe(true);
    expect(await store.stocks.get(ctx, 502)).toEqual({ sku: 502, totalCount: 1, reserved: 1 });
  });

  test("a single item (no savepoint) beyond what is available reserves nothing, in a transaction or not", async () => {
    await putStock(504, 3, 1);
    expect(await store.inTx(ctx, (tx) => tx.stocks.reserveAll(ctx, [{ sku: 504, count: 3 }]))).toBe(false);
    expect(await store.stocks.reserveAll(ctx, [{ sku: 504, count: 3 }])).toBe(false);
    expect(await store.stocks.get(ctx, 504)).toEqual({ sku: 504, totalCount: 3, reserved: 1 });
    expect(await store.inTx(ctx, (tx) => tx.stocks.reserveAll(ctx, [{ sku: 504, count: 2 }]))).toBe(true);
    expect(await store.stocks.get(ctx, 504)).toEqual({ sku: 504, totalCount: 3, reserved: 3 });
  });

  test("an unknown sku cannot be reserved", async () => {
    expect(await store.stocks.reserveAll(ctx, [{ sku: 999_999_001, count: 1 }])).toBe(false);
  });

  test("release and ship move counts; both refuse to go below zero", async () => {
    await putStock(503, 10, 5);
    await store.stocks.release(ctx, [{ sku: 503, count: 2 }]);
    expect(await store.stocks.get(ctx, 503)).toEqual({ sku: 503, totalCount: 10, reserved: 3 });
    await store.stocks.ship(ctx, [{ sku: 503, count: 3 }]);
    expect(await store.stocks.get(ctx, 503)).toEqual({ sku: 503, totalCount: 7, reserved: 0 });
    await expect(store.stocks.release(ctx, [{ sku: 503, count: 1 }])).rejects.toMatchObject({
      code: "INTERNAL",
    });
    await expect(store.stocks.ship(ctx, [{ sku: 503, count: 1 }])).rejects.toMatchObject({
      code: "INTERNAL",
    });
  });

  test("the reserved >= 0 CHECK holds even for raw SQL", async () => {
    await expect(db.query("update stocks set reserved = -1 where sku = 503", [])).rejects.toThrow();
  });
});

describe("no overselling", () => {
  test("300 concurrent creates of one unit each on a SKU with 250 available reserve exactly 250", async () => {
    await putStock(777, 260, 10);
    const usecase = new LomsUsecase(store);
    const results = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) => usecase.createOrder(ctx, 1000 + i, [{ sku: 777, count: 1 }])),
    );
    const ok = results.filter((r) => r.status === "fulfilled").length;
    const refused = results.filter(
      (r) => r.status === "rejected" && AppError.from(r.reason).code === "FAILED_PRECONDITION",
    ).length;
    expect(ok).toBe(250);
    expect(refused).toBe(50);
    expect(await s.getStock(db, { sku: 777 })).toEqual({ sku: 777, totalCount: 260, reserved: 260 });
    const statuses = await db.query(
      "select status, count(*)::int from orders where user_id >= 1000 group by status order by status",
      [],
    );
    expect(statuses.rows).toEqual([
      ["awaiting payment", 250],
      ["failed", 50],
    ]);
  }, 60_000);
});

describe("cancellation", () => {
  test("an aborted signal cancels a running query", async () => {
    const controller = new AbortController();
    const pending = db.query("select pg_sleep(5)", [], controller.signal);
    setTimeout(() => controller.abort(new AppError("CANCELLED", "test cancel")), 50);
    const started = Date.now();
    await expect(pending).rejects.toMatchObject({ code: "CANCELLED" });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe("expiry", () => {
  test("measures how long an order is unpaid by the database's clock, not this host's", async () => {
    await db.query("update orders set status = 'cancelled' where status = 'awaiting payment'", []);
    await putStock(9001, 10, 2);
    const fresh = await insert(12, OrderStatus.AwaitingPayment, [{ sku: 9001, count: 1 }]);
    const stale = await insert(12, OrderStatus.AwaitingPayment, [{ sku: 9001, count: 1 }]);
    await db.query("update orders set updated_at = now() - interval '5 minutes' where id = $1", [fresh]);
    await db.query("update orders set updated_at = now() - interval '11 minutes' where id = $1", [stale]);
    // This host's clock runs an hour ahead of the database's.
    setSystemTime(new Date(Date.now() + 60 * 60_000));
    const stop = new AbortController();
    try {
      const usecase = new LomsUsecase(store);
      const loop = runExpiryLoop(
        usecase,
        { paymentTimeoutMs: 10 * 60_000, intervalMs: 10, batchSize: 10 },
        createLogger("test"),
        stop.signal,
      );
      const deadline = performance.now() + 5_000;
      while (
        (await store.orders.get(ctx, stale))?.status !== OrderStatus.Cancelled &&
        performance.now() < deadline
      ) {
        await Bun.sleep(20);
      }
      stop.abort();
      await loop;
    } finally {
      setSystemTime();
    }
    expect((await store.orders.get(ctx, stale))?.status).toBe(OrderStatus.Cancelled);
    expect((await store.orders.get(ctx, fresh))?.status).toBe(OrderStatus.AwaitingPayment);
    expect((await store.stocks.get(ctx, 9001))?.reserved).toBe(1);
  });
});

describe("outbox", () => {
  const events = (orderId: number) => o.listOrderEvents(db, { orderId });
  const statuses = async (orderId: number) => (await events(orderId)).map((e) => e.status);

  test("every status change commits its event in the same transaction, with the request id", async () => {
    await putStock(901, 10);
    const usecase = new LomsUsecase(store);
    const reqCtx = withValue(ctx, requestIdKey, "req-outbox-1");
    const paid = await usecase.createOrder(reqCtx, 1, [{ sku: 901, count: 1 }]);
    await usecase.payOrder(reqCtx, paid);
    const cancelled = await usecase.createOrder(ctx, 1, [{ sku: 901, count: 1 }]);
    await usecase.cancelOrder(ctx, cancelled);
    await usecase.cancelOrder(ctx, cancelled); // no-op: no second event
    const failed = await usecase.createOrder(ctx, 1, [{ sku: 901, count: 100 }]).catch(() => null);
    expect(failed).toBeNull();
    const failedId = Number((await db.query("select max(id) from orders", [])).rows[0]?.[0]);

    expect(await statuses(paid)).toEqual(["new", "awaiting payment", "payed"]);
    expect(await statuses(cancelled)).toEqual(["new", "awaiting payment", "cancelled"]);
    expect(await statuses(failedId)).toEqual(["new", "failed"]);
    const rows = await events(paid);
    expect(rows.every((r) => r.requestId === "req-outbox-1" && r.sentAt === null && r.attempts === 0)).toBe(
      true,
    );
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(3);
  });

  test("an order's status and its event are written together or not at all", async () => {
    const total = async () =>
      Number((await db.query("select count(*) from order_events_outbox", [])).rows[0]?.[0]);
    const id = await insert(9, OrderStatus.New, [{ sku: 904, count: 1 }], "key-outbox");
    expect(await statuses(id)).toEqual(["new"]);
    const before = await total();
    // A taken checkout key stores no order, no items and no event.
    expect(
      await store.inTx(ctx, (tx) =>
        tx.orders.create(ctx, 9, [{ sku: 904, count: 1 }], "key-outbox", stamp(OrderStatus.New)),
      ),
    ).toBeNull();
    // A missing order gets no status and no event.
    await expect(store.orders.setStatus(ctx, 987655, stamp(OrderStatus.Payed))).rejects.toMatchObject({
      code: "INTERNAL",
    });
    expect(await total()).toBe(before);
    const change = stamp(OrderStatus.AwaitingPayment);
    await store.orders.setStatus(ctx, id, change);
    expect((await events(id)).map((e) => [e.eventId, e.status])).toEqual([
      [expect.any(String), "new"],
      [change.eventId, "awaiting payment"],
    ]);
  });

  test("expiry cancellations insert their events", async () => {
    await putStock(902, 10);
    const usecase = new LomsUsecase(store);
    const id = await usecase.createOrder(ctx, 1, [{ sku: 902, count: 2 }]);
    // Older than anything else in this database, so the cut-off claims this order alone.
    await db.query("update orders set updated_at = '2000-01-01' where id = $1", [id]);
    // Unpaid for more than ten years: only this order.
    expect((await usecase.cancelExpired(ctx, 10 * 365 * 24 * 3_600_000, 1000)).cancelled).toBe(1);
    expect(await statuses(id)).toEqual(["new", "awaiting payment", "cancelled"]);
  });

  test("a change that rolls back leaves no event", async () => {
    await putStock(903, 10);
    const usecase = new LomsUsecase(store);
    const id = await usecase.createOrder(ctx, 1, [{ sku: 903, count: 1 }]);
    const before = await db.query("select count(*) from order_events_outbox", []);
    // Break the pay transaction after its event was appended: the stock row cannot cover it.
    await db.query("update stocks set reserved = 0 where sku = 903", []);
    await expect(usecase.payOrder(ctx, id)).rejects.toMatchObject({ code: "INTERNAL" });
    await expect(
      store.inTx(ctx, async (tx) => {
        await tx.orders.setStatus(ctx, id, stamp(OrderStatus.Payed));
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect((await db.query("select count(*) from order_events_outbox", [])).rows).toEqual(before.rows);
    expect(await statuses(id)).toEqual(["new", "awaiting payment"]);
  });
});
