// Postgres adapter for the cart repository, over the sqlc-generated queries in gen/sql/cart.

import * as q from "../gen/sql/cart/cart_items_sql.ts";
import type { DBTX } from "../platform/db/postgres.ts";
import type { Ctx } from "../platform/rpc/context.ts";
import type { CartLine } from "./model.ts";
import type { CartRepo } from "./ports.ts";

export class PgCartRepo implements CartRepo {
  constructor(private readonly db: DBTX) {}

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

  async removeOrdered(ctx: Ctx, userId: number, lines: readonly CartLine[]): Promise<void> {
    await q.removeOrderedItems(
      this.db,
      { userId, skus: lines.map((l) => l.sku), counts: lines.map((l) => l.count) },
      ctx.signal,
    );
  }
}
