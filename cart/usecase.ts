// Cart business rules: products must exist, the cart never holds more of a SKU than LOMS has
// available, listings carry live names and prices, checkout turns the cart into an order.

import type { Ctx } from "../platform/rpc/context.ts";
import { AppError, hasCode } from "../platform/rpc/errors.ts";
import type { CartItem, CartLine, CartView } from "./model.ts";
import type { CartRepo, ConcurrentMapper, OrderService, ProductCatalog, StockService } from "./ports.ts";

export class CartUsecase {
  constructor(
    private readonly repo: CartRepo,
    private readonly catalog: ProductCatalog,
    private readonly stocks: StockService,
    private readonly orders: OrderService,
    private readonly pool: ConcurrentMapper,
  ) {}

  async addItem(ctx: Ctx, userId: number, line: CartLine): Promise<void> {
    const product = await this.catalog.get(ctx, line.sku);
    if (!product) throw AppError.failedPrecondition(`sku ${line.sku} is not in the catalog`);
    const available = await this.stocks.available(ctx, line.sku);
    if (!(await this.repo.add(ctx, userId, line, available))) {
      throw AppError.failedPrecondition(
        `not enough stock for sku ${line.sku}: ${available} available, fewer than the cart would hold`,
      );
    }
  }

  deleteItem(ctx: Ctx, userId: number, sku: number): Promise<void> {
    return this.repo.remove(ctx, userId, sku);
  }

  clearCart(ctx: Ctx, userId: number): Promise<void> {
    return this.repo.clear(ctx, userId);
  }

  /**
   * The cart with live names and prices, fetched concurrently. A SKU the catalog no longer
   * knows is left out of the listing (and its total) rather than failing the whole cart.
   */
  async listCart(ctx: Ctx, userId: number): Promise<CartView> {
    const lines = await this.repo.list(ctx, userId);
    if (lines.length === 0) throw emptyCart(userId);
    const products = await this.pool.map(
      lines,
      (line, signal) => this.catalog.get({ ...ctx, signal }, line.sku),
      ctx.signal,
    );
    const items: CartItem[] = [];
    lines.forEach((line, i) => {
      const product = products[i];
      if (product) items.push({ ...line, ...product });
    });
    const totalPrice = items.reduce((sum, item) => sum + item.price * item.count, 0);
    return { items, totalPrice };
  }

  /**
   * Creates the order in LOMS, then removes the ordered lines; the cart stays if LOMS refuses.
   * Idempotent: the cart's checkout key goes with the order, and LOMS makes at most one order per
   * key, so concurrent checkouts and a retry after a lost answer get the same order. Once LOMS
   * has answered, the cleanup runs to completion on its own bounded context: the caller giving
   * up then must not leave the ordered lines in the cart.
   */
  async checkout(ctx: Ctx, userId: number): Promise<number> {
    const { key, lines } = await this.repo.beginCheckout(ctx, userId);
    if (lines.length === 0) throw emptyCart(userId);
    let orderId: number;
    try {
      orderId = await this.orders.create(ctx, userId, lines, key);
    } catch (err) {
      // LOMS kept a failed order under this key: a fresh key lets the next attempt try again.
      if (hasCode(err, "FAILED_PRECONDITION")) await this.repo.finishCheckout(detached(ctx), userId, key);
      throw err;
    }
    await this.repo.finishCheckout(detached(ctx), userId, key, lines);
    return orderId;
  }
}

/** How long checkout's cleanup may take once detached from the caller's cancellation. */
const CLEANUP_TIMEOUT_MS = 5_000;

/** The request's values without its cancellation, bounded by a timeout of its own. */
const detached = (ctx: Ctx): Ctx => ({ values: ctx.values, signal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS) });

const emptyCart = (userId: number) => AppError.notFound(`cart of user ${userId} is empty`);
