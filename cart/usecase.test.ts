import { describe, expect, mock, test } from "bun:test";
import { WorkerPool } from "../platform/concurrency/worker-pool.ts";
import { backgroundCtx } from "../platform/rpc/context.ts";
import { AppError } from "../platform/rpc/errors.ts";
import { codeOf } from "../tests/support/code-of.ts";
import type { Product } from "./model.ts";
import type { CartObserver, CartRepo, OrderService, ProductCatalog, StockService } from "./ports.ts";
import { CartUsecase } from "./usecase.ts";

const ctx = backgroundCtx();

const PRODUCTS: Record<number, Product> = {
  1076963: { name: "Теория нравственных чувств | Смит Адам", price: 3379 },
  1148162: { name: "Кулинар Гуров", price: 2931 },
};

function setup() {
  const repo = {
    list: mock<CartRepo["list"]>(async () => []),
    add: mock<CartRepo["add"]>(async () => true),
    remove: mock<CartRepo["remove"]>(async () => {}),
    clear: mock<CartRepo["clear"]>(async () => {}),
    beginCheckout: mock<CartRepo["beginCheckout"]>(async () => ({ key: "k1", lines: [] })),
    completeCheckout: mock<CartRepo["completeCheckout"]>(async () => {}),
    abandonCheckout: mock<CartRepo["abandonCheckout"]>(async () => {}),
  };
  const catalog = { get: mock<ProductCatalog["get"]>(async (_ctx, sku) => PRODUCTS[sku] ?? null) };
  const stocks = { available: mock<StockService["available"]>(async () => 100) };
  const orders = { create: mock<OrderService["create"]>(async () => 42) };
  const pool = new WorkerPool(4);
  const observer = {
    itemsAdded: mock<CartObserver["itemsAdded"]>(() => {}),
    checkedOut: mock<CartObserver["checkedOut"]>(() => {}),
    checkoutFailed: mock<CartObserver["checkoutFailed"]>(() => {}),
  };
  const usecase = new CartUsecase(repo, catalog, stocks, orders, pool, observer);
  return { repo, catalog, stocks, orders, observer, usecase };
}

describe("addItem", () => {
  test("checks the product and the stock, then adds bounded by what is available", async () => {
    const s = setup();
    await s.usecase.addItem(ctx, 1, { sku: 1076963, count: 3 });
    expect(s.catalog.get).toHaveBeenCalledWith(ctx, 1076963);
    expect(s.stocks.available).toHaveBeenCalledWith(ctx, 1076963);
    expect(s.repo.add).toHaveBeenCalledWith(ctx, 1, { sku: 1076963, count: 3 }, 100);
    expect(s.observer.itemsAdded.mock.calls).toEqual([[3]]);
  });

  test("an unknown SKU is FAILED_PRECONDITION and the cart is untouched", async () => {
    const s = setup();
    expect(await codeOf(s.usecase.addItem(ctx, 1, { sku: 5, count: 1 }))).toBe("FAILED_PRECONDITION");
    expect(s.stocks.available).not.toHaveBeenCalled();
    expect(s.repo.add).not.toHaveBeenCalled();
  });

  test("more than the stock allows is FAILED_PRECONDITION", async () => {
    const s = setup();
    s.repo.add.mockResolvedValueOnce(false);
    expect(await codeOf(s.usecase.addItem(ctx, 1, { sku: 1148162, count: 500 }))).toBe("FAILED_PRECONDITION");
    expect(s.observer.itemsAdded).not.toHaveBeenCalled();
  });

  test("a product service failure propagates with its code", async () => {
    const s = setup();
    s.catalog.get.mockRejectedValueOnce(AppError.unavailable("product service down"));
    expect(await codeOf(s.usecase.addItem(ctx, 1, { sku: 1148162, count: 1 }))).toBe("UNAVAILABLE");
    expect(s.repo.add).not.toHaveBeenCalled();
  });
});

describe("listCart", () => {
  test("lists items sorted by sku with live names, prices and the total", async () => {
    const s = setup();
    s.repo.list.mockResolvedValueOnce([
      { sku: 1076963, count: 2 },
      { sku: 1148162, count: 1 },
    ]);
    expect(await s.usecase.listCart(ctx, 1)).toEqual({
      items: [
        { sku: 1076963, count: 2, name: "Теория нравственных чувств | Смит Адам", price: 3379 },
        { sku: 1148162, count: 1, name: "Кулинар Гуров", price: 2931 },
      ],
      totalPrice: 9689,
    });
  });

  test("an empty cart is NOT_FOUND", async () => {
    expect(await codeOf(setup().usecase.listCart(ctx, 1))).toBe("NOT_FOUND");
  });

  test("a SKU the catalog no longer knows is left out of items and total", async () => {
    const s = setup();
    s.repo.list.mockResolvedValueOnce([
      { sku: 3, count: 9 },
      { sku: 1148162, count: 2 },
    ]);
    const cart = await s.usecase.listCart(ctx, 1);
    expect(cart.items.map((i) => i.sku)).toEqual([1148162]);
    expect(cart.totalPrice).toBe(5862);
  });

  test("a failing look-up fails the listing", async () => {
    const s = setup();
    s.repo.list.mockResolvedValueOnce([{ sku: 1148162, count: 2 }]);
    s.catalog.get.mockRejectedValueOnce(AppError.resourceExhausted("slow down"));
    expect(await codeOf(s.usecase.listCart(ctx, 1))).toBe("RESOURCE_EXHAUSTED");
  });
});

describe("deleteItem and clearCart", () => {
  test("delegate to the repository", async () => {
    const s = setup();
    await s.usecase.deleteItem(ctx, 1, 1148162);
    await s.usecase.clearCart(ctx, 1);
    expect(s.repo.remove).toHaveBeenCalledWith(ctx, 1, 1148162);
    expect(s.repo.clear).toHaveBeenCalledWith(ctx, 1);
  });
});

describe("checkout", () => {
  test("creates the order from the cart lines, then removes exactly those lines", async () => {
    const s = setup();
    const lines = [{ sku: 1148162, count: 2 }];
    s.repo.beginCheckout.mockResolvedValueOnce({ key: "k1", lines });
    expect(await s.usecase.checkout(ctx, 1)).toBe(42);
    expect(s.orders.create).toHaveBeenCalledWith(ctx, 1, lines, "k1");
    expect(s.repo.completeCheckout).toHaveBeenCalledWith(expect.anything(), {
      userId: 1,
      key: "k1",
      orderId: 42,
      ordered: lines,
    });
    expect(s.repo.abandonCheckout).not.toHaveBeenCalled();
    expect(s.observer.checkedOut.mock.calls).toEqual([[false]]);
    expect(s.observer.checkoutFailed).not.toHaveBeenCalled();
  });

  test("an empty cart is NOT_FOUND and no order is created", async () => {
    const s = setup();
    expect(await codeOf(s.usecase.checkout(ctx, 1))).toBe("NOT_FOUND");
    expect(s.orders.create).not.toHaveBeenCalled();
    expect(s.observer.checkoutFailed.mock.calls).toEqual([["NOT_FOUND"]]);
    expect(s.observer.checkedOut).not.toHaveBeenCalled();
  });

  test("when LOMS refuses, the error passes through and the cart stays", async () => {
    const s = setup();
    s.repo.beginCheckout.mockResolvedValueOnce({ key: "k1", lines: [{ sku: 1148162, count: 2 }] });
    s.orders.create.mockRejectedValueOnce(AppError.failedPrecondition("not enough stock"));
    expect(await codeOf(s.usecase.checkout(ctx, 1))).toBe("FAILED_PRECONDITION");
    // The key is replaced (LOMS keeps the failed order under it), and no line is removed.
    expect(s.repo.abandonCheckout).toHaveBeenCalledTimes(1);
    expect(s.repo.abandonCheckout.mock.calls[0]?.slice(1)).toEqual([1, "k1"]);
    expect(s.repo.completeCheckout).not.toHaveBeenCalled();
  });

  test("a spent key (changed cart, cancelled order) is replaced and the cart as it is now ordered", async () => {
    const s = setup();
    const now = [
      { sku: 1076963, count: 1 },
      { sku: 1148162, count: 2 },
    ];
    s.repo.beginCheckout
      .mockResolvedValueOnce({ key: "k1", lines: now })
      .mockResolvedValueOnce({ key: "k2", lines: now });
    s.orders.create.mockRejectedValueOnce(new AppError("ALREADY_EXISTS", "key spent"));
    expect(await s.usecase.checkout(ctx, 1)).toBe(42);
    expect(s.repo.abandonCheckout.mock.calls.map((c) => c.slice(1))).toEqual([[1, "k1"]]);
    expect(s.orders.create.mock.calls.map((c) => c[3])).toEqual(["k1", "k2"]);
    expect(s.repo.completeCheckout).toHaveBeenCalledWith(expect.anything(), {
      userId: 1,
      key: "k2",
      orderId: 42,
      ordered: now,
    });
    expect(s.observer.checkedOut.mock.calls).toEqual([[true]]);
  });

  test("a key spent twice in a row is ABORTED: another checkout of the cart is racing", async () => {
    const s = setup();
    s.repo.beginCheckout.mockResolvedValue({ key: "k", lines: [{ sku: 1148162, count: 2 }] });
    s.orders.create.mockRejectedValue(new AppError("ALREADY_EXISTS", "key spent"));
    expect(await codeOf(s.usecase.checkout(ctx, 1))).toBe("ABORTED");
    expect(s.orders.create).toHaveBeenCalledTimes(2);
    expect(s.repo.completeCheckout).not.toHaveBeenCalled();
    expect(s.observer.checkoutFailed.mock.calls).toEqual([["ABORTED"]]);
    expect(s.observer.checkedOut).not.toHaveBeenCalled();
  });

  test("the cleanup outlives the caller but not its own timeout", async () => {
    const s = setup();
    const caller = new AbortController();
    s.repo.beginCheckout.mockResolvedValueOnce({ key: "k1", lines: [{ sku: 1148162, count: 2 }] });
    s.orders.create.mockImplementationOnce(async () => {
      caller.abort(new AppError("CANCELLED", "client went away"));
      return 42;
    });
    let cleanupSignal: AbortSignal | undefined;
    s.repo.completeCheckout.mockImplementationOnce(async (c) => {
      cleanupSignal = c.signal;
    });
    expect(await s.usecase.checkout({ signal: caller.signal }, 1)).toBe(42);
    expect(cleanupSignal?.aborted).toBe(false);
  });

  test("any other failure keeps the key, so a retry answers the same order", async () => {
    const s = setup();
    s.repo.beginCheckout.mockResolvedValueOnce({ key: "k1", lines: [{ sku: 1148162, count: 2 }] });
    s.orders.create.mockRejectedValueOnce(AppError.unavailable("loms down"));
    expect(await codeOf(s.usecase.checkout(ctx, 1))).toBe("UNAVAILABLE");
    expect(s.repo.completeCheckout).not.toHaveBeenCalled();
    expect(s.repo.abandonCheckout).not.toHaveBeenCalled();
  });
});
