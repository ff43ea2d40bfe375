// What the cart use cases need from the outside world. Adapters: repo.ts (Postgres),
// product-client.ts (product service over gRPC), loms-client.ts (LOMS over gRPC), metrics.ts
// (Prometheus).

import type { Ctx } from "../platform/rpc/context.ts";
import type { Code } from "../platform/rpc/errors.ts";
import type { CartLine, Product } from "./model.ts";

export interface CartRepo {
  /** The user's lines sorted by SKU; empty when the cart is empty. */
  list(ctx: Ctx, userId: number): Promise<CartLine[]>;
  /** Adds `count` unless the SKU's total in the cart would exceed `maxTotal`; false if refused. */
  add(ctx: Ctx, userId: number, line: CartLine, maxTotal: number): Promise<boolean>;
  remove(ctx: Ctx, userId: number, sku: number): Promise<void>;
  clear(ctx: Ctx, userId: number): Promise<void>;
  /**
   * The user's checkout key and the lines it covers, read together: a concurrent completion or
   * abandonment is wholly before or wholly after. The key stays the same until a checkout with
   * it completes or is abandoned.
   */
  beginCheckout(ctx: Ctx, userId: number): Promise<{ key: string; lines: CartLine[] }>;
  /**
   * After LOMS made order `orderId` of `ordered`: removes those units from the cart, once per
   * order however many requests report it (a line that grew meanwhile keeps the difference;
   * lines the order does not hold stay), and replaces `key` if it is still the user's.
   */
  completeCheckout(ctx: Ctx, checkout: CompletedCheckout): Promise<void>;
  /** Replaces `key` if it is still the user's, removing nothing: the next checkout uses a new key. */
  abandonCheckout(ctx: Ctx, userId: number, key: string): Promise<void>;
}

/** A checkout LOMS made order `orderId` of: the user, the key it was made under, the lines ordered. */
export interface CompletedCheckout {
  readonly userId: number;
  readonly key: string;
  readonly orderId: number;
  readonly ordered: readonly CartLine[];
}

export interface ProductCatalog {
  /** The product's live name and price, or null when the catalog does not know the SKU. */
  get(ctx: Ctx, sku: number): Promise<Product | null>;
}

export interface StockService {
  /** Units LOMS can still reserve for the SKU; 0 for SKUs it does not stock. */
  available(ctx: Ctx, sku: number): Promise<number>;
}

export interface OrderService {
  /**
   * Creates an order of exactly the lines; FAILED_PRECONDITION when stock is short. At most one
   * order per `checkoutKey`: a repeat with the same lines answers that order's id while it is
   * awaiting payment or payed (FAILED_PRECONDITION if it failed). ALREADY_EXISTS when the key is
   * spent (its order has other lines, was cancelled or expired): only a new key makes an order.
   */
  create(ctx: Ctx, userId: number, lines: readonly CartLine[], checkoutKey: string): Promise<number>;
}

/** Runs per-item work concurrently with bounded parallelism (the platform worker pool). */
export interface ConcurrentMapper {
  map<I, O>(
    items: readonly I[],
    fn: (item: I, signal: AbortSignal) => Promise<O>,
    signal: AbortSignal,
  ): Promise<O[]>;
}

/**
 * What the use case tells the business metrics, in its own terms: it knows what a checkout did
 * (which no interceptor can tell from a request and a reply); the adapter decides how to count.
 */
export interface CartObserver {
  /** An add was accepted: `count` units went into a cart. */
  itemsAdded(count: number): void;
  /**
   * A checkout made (or was answered) an order. `afterSpentKey`: the cart's key was spent — its
   * order holds other lines than the cart now, or was cancelled or expired — so a new key made a
   * new order; with a changed cart the spent key's order, never seen by the user, is left behind.
   */
  checkedOut(afterSpentKey: boolean): void;
  /** A checkout was refused or failed, with the code its caller gets. */
  checkoutFailed(code: Code): void;
}
