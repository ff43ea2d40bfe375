// Cart business rules: products must exist, the cart never holds more of a SKU than LOMS has
// available, listings carry live names and prices, checkout turns the cart into an order.

import { type Ctx, withTimeout } from "../platform/rpc/context.ts";
import { AppError, hasCode } from "../platform/rpc/errors.ts";
import type { CartItem, CartLine, CartView } from "./model.ts";
import type {
  CartObserver,
  CartRepo,
  ConcurrentMapper,
  OrderService,
  ProductCatalog,
  StockService,
} from "./ports.ts";

export class CartUsecase {
  constructor(
    private readonly repo: CartRepo,
    private readonly catalog: ProductCatalog,
    private readonly stocks: StockService,
    private readonly orders: OrderService,
    private readonly pool: ConcurrentMapper,
    private readonly observer: CartObserver,
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
    this.observer.itemsAdded(line.count);
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
   * Creates the order in LOMS, then removes what it holds from the cart; the cart stays if LOMS
   * refuses. Idempotent: the cart's checkout key goes with the order, and LOMS makes at most one
   * order per key and exact items, so concurrent checkouts and a retry after a lost answer get
   * the same order while the cart is unchanged. A retry that LOMS cannot answer with the key's
   * order — the cart changed since (say the user added B after a checkout of {A} whose answer was
   * lost), or that order was cancelled or expired meanwhile — finds the key spent; the user asked
   * to order the cart as it is now and never saw that order (a checkout that saw it would have
   * replaced the key), so a new key makes a new order of the cart as it is. An unseen order left
   * behind by a changed cart keeps its reservation until it expires unpaid, like any unpaid order.
   * Once LOMS has answered, the cleanup runs to completion on its own bounded context: the caller
   * giving up then must not leave the ordered lines in the cart.
   */
  async checkout(ctx: Ctx, userId: number): Promise<number> {
    // Counted here, not from the request and reply at the API boundary: only the use case knows
    // whether the order came from a spent key's retry.
    let outcome: { orderId: number; afterSpentKey: boolean };
    try {
      outcome = await this.#checkout(ctx, userId);
    } catch (err) {
      this.observer.checkoutFailed(AppError.from(err).code);
      throw err;
    }
    this.observer.checkedOut(outcome.afterSpentKey);
    return outcome.orderId;
  }

  async #checkout(ctx: Ctx, userId: number): Promise<{ orderId: number; afterSpentKey: boolean }> {
    const first = await this.#attempt(ctx, userId);
    if (first !== SPENT) return { orderId: first, afterSpentKey: false };
    const second = await this.#attempt(ctx, userId);
    if (second !== SPENT) return { orderId: second, afterSpentKey: true };
    // Another checkout of this cart spent the new key too between our two reads: rare, and the
    // caller's retry sees the cart as it is then.
    throw new AppError(
      "ABORTED",
      `checkout of user ${userId} raced with another checkout of the cart, try again`,
    );
  }

  async #attempt(ctx: Ctx, userId: number): Promise<number | typeof SPENT> {
    const { key, lines } = await this.repo.beginCheckout(ctx, userId);
    if (lines.length === 0) throw emptyCart(userId);
    let orderId: number;
    try {
      orderId = await this.orders.create(ctx, userId, lines, key);
    } catch (err) {
      if (hasCode(err, "ALREADY_EXISTS")) {
        await this.repo.abandonCheckout(ctx, userId, key);
        return SPENT;
      }
      // LOMS kept a failed order under this key: a fresh key lets the next attempt try again.
      if (hasCode(err, "FAILED_PRECONDITION")) {
        await this.#cleanup(ctx, (c) => this.repo.abandonCheckout(c, userId, key));
      }
      throw err;
    }
    // LOMS made the order of exactly these lines (it checks a repeated key's items), so these
    // are the units to take out of the cart.
    await this.#cleanup(ctx, (c) => this.repo.completeCheckout(c, { userId, key, orderId, ordered: lines }));
    return orderId;
  }

  /** Runs `work` detached from the caller's cancellation, bounded by a timeout of its own. */
  async #cleanup(ctx: Ctx, work: (ctx: Ctx) => Promise<void>): Promise<void> {
    const detached = withTimeout(
      { values: ctx.values, signal: new AbortController().signal },
      CLEANUP_TIMEOUT_MS,
    );
    try {
      await work(detached.ctx);
    } finally {
      detached.dispose();
    }
  }
}

/** The key's order cannot answer this checkout; a new key can. */
const SPENT = Symbol("spent checkout key");

/** How long checkout's cleanup may take once detached from the caller's cancellation. */
const CLEANUP_TIMEOUT_MS = 5_000;

const emptyCart = (userId: number) => AppError.notFound(`cart of user ${userId} is empty`);
