import { beforeEach, describe, expect, mock, test } from "bun:test";
import { backgroundCtx } from "../platform/rpc/context.ts";
import { AppError } from "../platform/rpc/errors.ts";
import { codeOf } from "../tests/support/code-of.ts";
import { type Order, OrderStatus } from "./model.ts";
import type { LomsStore, OrderRepo, StockRepo } from "./ports.ts";
import { LomsUsecase } from "./usecase.ts";

const ctx = backgroundCtx();

function fakeStore() {
  const orders = {
    create: mock<OrderRepo["create"]>(async () => 7),
    get: mock<OrderRepo["get"]>(async () => null),
    getByCheckoutKey: mock<OrderRepo["getByCheckoutKey"]>(async () => null),
    getForUpdate: mock<OrderRepo["getForUpdate"]>(async () => null),
    setStatus: mock<OrderRepo["setStatus"]>(async () => {}),
    claimExpired: mock<OrderRepo["claimExpired"]>(async () => []),
    parkExpired: mock<OrderRepo["parkExpired"]>(async () => {}),
  };
  const stocks = {
    get: mock<StockRepo["get"]>(async () => null),
    reserveAll: mock<StockRepo["reserveAll"]>(async () => true),
    release: mock<StockRepo["release"]>(async () => {}),
    ship: mock<StockRepo["ship"]>(async () => {}),
  };
  // The transaction boundary is observable: the repos handed to the work are usable only while
  // it runs, and the store's own repos allow reads only. A write moved out of `inTx` (or kept
  // past its end) fails the test instead of passing unnoticed.
  let inside = false;
  const inTx = mock(async (_ctx, work) => {
    inside = true;
    const during = () => inside;
    try {
      return await work({
        orders: txOnly(orders, during),
        stocks: txOnly(stocks, during),
      });
    } finally {
      inside = false;
    }
  });
  const store: LomsStore = {
    orders: readsOnly(orders, ["get", "getByCheckoutKey"]),
    stocks: readsOnly(stocks, ["get"]),
    inTx: inTx as LomsStore["inTx"],
  };
  /**
   * The status changes written, each with its outbox event, in order: a create's first change
   * when it stored an order (not when the checkout key was taken), then every setStatus.
   */
  const changes = async () => {
    const created = await Promise.all(
      orders.create.mock.results.map((r) => r.value as Promise<number | null>),
    );
    return [
      ...orders.create.mock.calls.flatMap(([, , , , first], i) => {
        const orderId = created[i];
        return orderId == null ? [] : [{ orderId, ...first }];
      }),
      ...orders.setStatus.mock.calls.map(([, orderId, change]) => ({ orderId, ...change })),
    ];
  };
  const appended = async () => (await changes()).map((c) => `${c.orderId}:${c.status}`);
  return { store, orders, stocks, inTx, changes, appended };
}

/** The repo's methods, each refusing to run outside the transaction that handed them out. */
function txOnly<T extends object>(repo: T, inside: () => boolean): T {
  return new Proxy(repo, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (!inside()) throw new Error(`${String(key)} used after its transaction ended`);
        return value.apply(target, args);
      };
    },
  });
}

/** The repo as the store exposes it outside transactions: the named reads, nothing else. */
function readsOnly<T extends object>(repo: T, reads: readonly string[]): T {
  return new Proxy(repo, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== "function" || reads.includes(String(key))) return value;
      return () => {
        throw new Error(`${String(key)} called outside a transaction`);
      };
    },
  });
}

const order = (status: Order["status"]): Order => ({
  id: 7,
  userId: 1,
  status,
  items: [{ sku: 10, count: 2 }],
});

describe("createOrder", () => {
  let f: ReturnType<typeof fakeStore>;
  let usecase: LomsUsecase;
  beforeEach(() => {
    f = fakeStore();
    usecase = new LomsUsecase(f.store);
  });

  test("stores the order as new, reserves merged sorted items, ends awaiting payment", async () => {
    const id = await usecase.createOrder(ctx, 1, [
      { sku: 30, count: 1 },
      { sku: 10, count: 2 },
      { sku: 30, count: 4 },
    ]);
    expect(id).toBe(7);
    const merged = [
      { sku: 10, count: 2 },
      { sku: 30, count: 5 },
    ];
    expect(f.orders.create).toHaveBeenCalledWith(
      ctx,
      1,
      merged,
      undefined,
      expect.objectContaining({ status: OrderStatus.New }),
    );
    expect(f.stocks.reserveAll).toHaveBeenCalledWith(ctx, merged);
    expect(f.orders.setStatus).toHaveBeenCalledWith(
      ctx,
      7,
      expect.objectContaining({ status: OrderStatus.AwaitingPayment }),
    );
    expect(f.inTx).toHaveBeenCalledTimes(1);
    expect(await f.appended()).toEqual(["7:new", "7:awaiting payment"]);
    const [first, second] = await f.changes();
    if (!first || !second) throw new Error("expected two events");
    expect(first.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.eventId).not.toBe(first.eventId);
    expect(second.moment.getTime()).toBeGreaterThanOrEqual(first.moment.getTime());
  });

  test("without stock the order is kept as failed and FAILED_PRECONDITION is returned", async () => {
    f.stocks.reserveAll.mockResolvedValueOnce(false);
    expect(await codeOf(usecase.createOrder(ctx, 1, [{ sku: 10, count: 2 }]))).toBe("FAILED_PRECONDITION");
    expect(f.orders.setStatus).toHaveBeenCalledWith(
      ctx,
      7,
      expect.objectContaining({ status: OrderStatus.Failed }),
    );
    expect(await f.appended()).toEqual(["7:new", "7:failed"]);
  });

  test("a repeated checkout key answers the first order and reserves nothing more", async () => {
    f.orders.create.mockResolvedValueOnce(null);
    f.orders.getByCheckoutKey.mockResolvedValueOnce(order(OrderStatus.AwaitingPayment));
    expect(await usecase.createOrder(ctx, 1, [{ sku: 10, count: 2 }], "k1")).toBe(7);
    expect(f.orders.getByCheckoutKey).toHaveBeenCalledWith(ctx, "k1");
    expect(f.stocks.reserveAll).not.toHaveBeenCalled();
    expect(f.orders.setStatus).not.toHaveBeenCalled();
  });

  test("a repeated key answers a payed order too, and compares items after normalizing them", async () => {
    f.orders.create.mockResolvedValueOnce(null);
    f.orders.getByCheckoutKey.mockResolvedValueOnce(order(OrderStatus.Payed));
    const split = [
      { sku: 10, count: 1 },
      { sku: 10, count: 1 },
    ];
    expect(await usecase.createOrder(ctx, 1, split, "k1")).toBe(7);
  });

  test.each([
    ["other items", order(OrderStatus.AwaitingPayment), [{ sku: 10, count: 3 }], /order 7 with other items/],
    [
      "an extra item",
      order(OrderStatus.AwaitingPayment),
      [
        { sku: 10, count: 2 },
        { sku: 11, count: 1 },
      ],
      /other items/,
    ],
    ["a cancelled order", order(OrderStatus.Cancelled), [{ sku: 10, count: 2 }], /order 7, since cancelled/],
  ])("a repeated key with %s is spent: ALREADY_EXISTS, nothing created", async (_name, prior, items, why) => {
    f.orders.create.mockResolvedValueOnce(null);
    f.orders.getByCheckoutKey.mockResolvedValueOnce(prior);
    const err = await usecase.createOrder(ctx, 1, items, "k1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("ALREADY_EXISTS");
    expect((err as AppError).detail).toMatch(why);
    expect(f.stocks.reserveAll).not.toHaveBeenCalled();
    expect(f.orders.setStatus).not.toHaveBeenCalled();
    expect(await f.appended()).toEqual([]);
  });

  test("a repeated key of a failed order is FAILED_PRECONDITION again; another user's key ALREADY_EXISTS", async () => {
    f.orders.create.mockResolvedValue(null);
    f.orders.getByCheckoutKey.mockResolvedValueOnce(order(OrderStatus.Failed));
    expect(await codeOf(usecase.createOrder(ctx, 1, [{ sku: 10, count: 2 }], "k1"))).toBe(
      "FAILED_PRECONDITION",
    );
    f.orders.getByCheckoutKey.mockResolvedValueOnce(order(OrderStatus.Payed));
    expect(await codeOf(usecase.createOrder(ctx, 2, [{ sku: 10, count: 2 }], "k1"))).toBe("ALREADY_EXISTS");
    expect(f.stocks.reserveAll).not.toHaveBeenCalled();
  });

  test("an order without items is INVALID_ARGUMENT and touches nothing", async () => {
    expect(await codeOf(usecase.createOrder(ctx, 1, []))).toBe("INVALID_ARGUMENT");
    expect(f.inTx).not.toHaveBeenCalled();
  });

  test("a store failure propagates (the transaction rolls back in the adapter)", async () => {
    f.stocks.reserveAll.mockRejectedValueOnce(AppError.unavailable("db down"));
    expect(await codeOf(usecase.createOrder(ctx, 1, [{ sku: 10, count: 2 }]))).toBe("UNAVAILABLE");
    expect(f.orders.setStatus).not.toHaveBeenCalled();
  });
});

// Pay and cancel are the two ways out of `awaiting payment`; each row is checked the same way.
const settlements = [
  { name: "payOrder", verb: "paying", to: OrderStatus.Payed, stock: "ship" },
  { name: "cancelOrder", verb: "cancelling", to: OrderStatus.Cancelled, stock: "release" },
] as const;
// Settling an order in any other state but its target is refused.
const unsettled = [OrderStatus.Payed, OrderStatus.Cancelled, OrderStatus.Failed, OrderStatus.New];

for (const move of settlements) {
  const run = (u: LomsUsecase, id: number) => u[move.name](ctx, id);
  describe(move.name, () => {
    test(`awaiting payment → ${move.stock} the reservation → ${move.to}`, async () => {
      const f = fakeStore();
      f.orders.getForUpdate.mockResolvedValueOnce(order(OrderStatus.AwaitingPayment));
      await run(new LomsUsecase(f.store), 7);
      expect(f.stocks[move.stock]).toHaveBeenCalledWith(ctx, [{ sku: 10, count: 2 }]);
      expect(f.orders.setStatus).toHaveBeenCalledWith(ctx, 7, expect.objectContaining({ status: move.to }));
      expect(await f.appended()).toEqual([`7:${move.to}`]);
    });

    test(`${move.verb} a ${move.to} order is OK and changes nothing`, async () => {
      const f = fakeStore();
      f.orders.getForUpdate.mockResolvedValueOnce(order(move.to));
      await run(new LomsUsecase(f.store), 7);
      expect(f.stocks[move.stock]).not.toHaveBeenCalled();
      expect(f.orders.setStatus).not.toHaveBeenCalled();
      expect(await f.appended()).toEqual([]);
    });

    for (const status of unsettled.filter((s) => s !== move.to)) {
      test(`${move.verb} a ${status} order is FAILED_PRECONDITION`, async () => {
        const f = fakeStore();
        f.orders.getForUpdate.mockResolvedValueOnce(order(status));
        expect(await codeOf(run(new LomsUsecase(f.store), 7))).toBe("FAILED_PRECONDITION");
        expect(f.stocks[move.stock]).not.toHaveBeenCalled();
      });
    }

    test("unknown order is NOT_FOUND", async () => {
      expect(await codeOf(run(new LomsUsecase(fakeStore().store), 99))).toBe("NOT_FOUND");
    });
  });
}

describe("orderInfo and stockInfo", () => {
  test("orderInfo returns the stored order", async () => {
    const f = fakeStore();
    f.orders.get.mockResolvedValueOnce(order(OrderStatus.Payed));
    expect(await new LomsUsecase(f.store).orderInfo(ctx, 7)).toEqual(order(OrderStatus.Payed));
  });

  test("orderInfo of an unknown order is NOT_FOUND", async () => {
    expect(await codeOf(new LomsUsecase(fakeStore().store).orderInfo(ctx, 1))).toBe("NOT_FOUND");
  });

  test("available is total minus reserved, clamped at 0", async () => {
    const f = fakeStore();
    const usecase = new LomsUsecase(f.store);
    f.stocks.get.mockResolvedValueOnce({ sku: 1, totalCount: 300, reserved: 30 });
    expect(await usecase.stockInfo(ctx, 1)).toBe(270);
    f.stocks.get.mockResolvedValueOnce({ sku: 2, totalCount: 100, reserved: 101 });
    expect(await usecase.stockInfo(ctx, 2)).toBe(0);
  });

  test("stock of an unknown sku is NOT_FOUND", async () => {
    expect(await codeOf(new LomsUsecase(fakeStore().store).stockInfo(ctx, 5))).toBe("NOT_FOUND");
  });
});

describe("cancelExpired", () => {
  test("releases the batch's stock in one pass in SKU order, cancels every order, returns the count", async () => {
    const f = fakeStore();
    f.orders.claimExpired.mockResolvedValueOnce([
      { ...order(OrderStatus.AwaitingPayment), items: [{ sku: 30, count: 1 }] },
      {
        ...order(OrderStatus.AwaitingPayment),
        id: 8,
        items: [
          { sku: 10, count: 2 },
          { sku: 30, count: 4 },
        ],
      },
    ]);
    expect(await new LomsUsecase(f.store).cancelExpired(ctx, 600_000, 50)).toEqual({
      claimed: 2,
      cancelled: 2,
      parked: [],
    });
    expect(f.orders.claimExpired).toHaveBeenCalledWith(ctx, 600_000, 50);
    expect(f.stocks.release.mock.calls.map((c) => c[1])).toEqual([
      [
        { sku: 10, count: 2 },
        { sku: 30, count: 5 },
      ],
    ]);
    expect(f.orders.setStatus.mock.calls.map((c) => [c[1], c[2].status])).toEqual([
      [7, OrderStatus.Cancelled],
      [8, OrderStatus.Cancelled],
    ]);
    expect(await f.appended()).toEqual(["7:cancelled", "8:cancelled"]);
  });

  test("a transient failure is thrown for the next pass to retry; nothing is parked", async () => {
    const f = fakeStore();
    f.orders.claimExpired.mockResolvedValueOnce([
      { ...order(OrderStatus.AwaitingPayment), items: [{ sku: 30, count: 1 }] },
    ]);
    f.stocks.release.mockRejectedValueOnce(AppError.unavailable("database unavailable (08006)"));
    expect(await codeOf(new LomsUsecase(f.store).cancelExpired(ctx, 600_000, 50))).toBe("UNAVAILABLE");
    expect(f.orders.parkExpired).not.toHaveBeenCalled();
  });
});
