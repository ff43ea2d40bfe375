// Postgres adapter for the cart repository, over the sqlc-generated queries in gen/sql/cart.
// Checkout keys and the record of checked-out orders: see sql/cart/queries/checkout_keys.sql.

import * as q from "../gen/sql/cart/cart_items_sql.ts";
import * as k from "../gen/sql/cart/checkout_keys_sql.ts";
import type { Database, DBTX } from "../platform/db/postgres.ts";
import type { Ctx } from "../platform/rpc/context.ts";
import { AppError } from "../platform/rpc/errors.ts";
import type { CartLine } from "./model.ts";
import type { CartRepo, CompletedCheckout } from "./ports.ts";

export class PgCartRepo implements CartRepo {
  constructor(private readonly db: Database) {}

  list(ctx: Ctx, userId: number): Promise<CartLine[]> {
    return q.listCartItems(this.db, { userId }, ctx.signal);
  }

  async add(ctx: Ctx, userId: number, line: CartLine, maxTotal: number): Promise<boolean> {
    const changed = await q.addCartItem(
      this.db,
      { userId, sku: line.sku, count: line.count, maxTotal },
      ctx.signal,
    );
    return changed === 1;
  }

  remove(ctx: Ctx, userId: number, sku: number): Promise<void> {
    return q.deleteCartItem(this.db, { userId, sku }, ctx.signal);
  }

  clear(ctx: Ctx, userId: number): Promise<void> {
    return q.clearCart(this.db, { userId }, ctx.signal);
  }

  // Both checkout transactions send their two statements together (pipelined on the
  // transaction's connection: one round trip, not two). Postgres still runs them one after the
  // other, and under READ COMMITTED the second takes its snapshot when it starts, so it runs
  // under the key row lock the first one took and sees everything committed before that.

  beginCheckout(ctx: Ctx, userId: number): Promise<{ key: string; lines: CartLine[] }> {
    return this.db.withTx(ctx.signal, async (tx) => {
      const [key, lines] = await Promise.all([
        lockKey(tx, userId, ctx.signal),
        q.listCartItems(tx, { userId }, ctx.signal),
      ]);
      return { key, lines };
    });
  }

  completeCheckout(ctx: Ctx, { userId, key, orderId, ordered }: CompletedCheckout): Promise<void> {
    return this.db.withTx(ctx.signal, async (tx) => {
      const skus = ordered.map((l) => l.sku);
      const counts = ordered.map((l) => l.count);
      await Promise.all([
        lockKey(tx, userId, ctx.signal),
        k.completeCheckout(tx, { userId, checkoutKey: key, orderId, skus, counts }, ctx.signal),
      ]);
    });
  }

  async abandonCheckout(ctx: Ctx, userId: number, key: string): Promise<void> {
    await k.replaceCheckoutKey(this.db, { userId, checkoutKey: key }, ctx.signal);
  }
}

/**
 * Takes the user's key row lock (creating the row if needed) for the rest of the transaction, so
 * that a concurrent beginCheckout reads the key and lines wholly before or wholly after.
 */
async function lockKey(tx: DBTX, userId: number, signal: AbortSignal): Promise<string> {
  const row = await k.lockCheckoutKey(tx, { userId }, signal);
  if (!row) throw AppError.internal("checkout key upsert returned no row");
  return row.checkoutKey;
}
