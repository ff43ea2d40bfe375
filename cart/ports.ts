// What the cart use cases need from the outside world. Adapters: repo.ts (Postgres),
// product-client.ts (product service over gRPC), loms-client.ts (LOMS over gRPC).

import type { Ctx } from "../platform/rpc/context.ts";
import type { CartLine, Product } from "./model.ts";

export interface CartRepo {
  /** The user's lines sorted by SKU; empty when the cart is empty. */
  list(ctx: Ctx, userId: number): Promise<CartLine[]>;
  /** Adds `count` unless the SKU's total in the cart would exceed `maxTotal`; false if refused. */
  add(ctx: Ctx, userId: number, line: CartLine, maxTotal: number): Promise<boolean>;
  remove(ctx: Ctx, userId: number, sku: number): Promise<void>;
  clear(ctx: Ctx, userId: number): Promise<void>;
  /**
   * The user's checkout key and the lines it covers, read together: a concurrent finishCheckout
   * is wholly before or wholly after. The key stays the same until a checkout with it finishes.
   */
  beginCheckout(ctx: Ctx, userId: number): Promise<{ key: string; lines: CartLine[] }>;
  /**
   * Ends the checkout named by `key`: replaces the key and, when `ordered` is given, removes
   * exactly those lines (same SKU and count; lines changed meanwhile stay). Does nothing when the
   * key was replaced already, so a repeat cannot remove lines a second time.
   */
  finishCheckout(ctx: Ctx, userId: number, key: string, ordered?: readonly CartLine[]): Promise<void>;
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
   * Creates an order for the lines; FAILED_PRECONDITION when stock is short. At most one order
   * per `checkoutKey`: a repeat answers the first order's id (or its FAILED_PRECONDITION).
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
