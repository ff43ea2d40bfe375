// Postgres adapters for the LOMS ports, over the sqlc-generated queries in gen/sql/loms.

import * as e from "../gen/sql/loms/expiry_sql.ts";
import * as q from "../gen/sql/loms/orders_sql.ts";
import * as s from "../gen/sql/loms/stocks_sql.ts";
import type { Database, DBTX } from "../platform/db/postgres.ts";
import { traceparentOf } from "../platform/events/tracing.ts";
import type { Ctx } from "../platform/rpc/context.ts";
import { getValue, requestIdKey } from "../platform/rpc/context-values.ts";
import { AppError } from "../platform/rpc/errors.ts";
import type { Order, OrderItem, OrderStatus, StatusChange, Stock } from "./model.ts";
import type { LomsStore, OrderRepo, StockRepo, TxRepos } from "./ports.ts";

/** Runs work all-or-nothing: a savepoint inside a transaction, a transaction outside one. */
type Atomically = <T>(signal: AbortSignal, work: (db: DBTX) => Promise<T>) => Promise<T>;

export class PgLomsStore implements LomsStore {
  readonly orders: OrderRepo;
  readonly stocks: StockRepo;

  constructor(private readonly db: Database) {
    this.orders = new PgOrderRepo(db);
    this.stocks = new PgStockRepo(db, (signal, work) => db.withTx(signal, work));
  }

  inTx<T>(ctx: Ctx, work: (repos: TxRepos) => Promise<T>): Promise<T> {
    return this.db.withTx(ctx.signal, (tx) =>
      work({
        orders: new PgOrderRepo(tx),
        stocks: new PgStockRepo(tx, (_signal, work) => tx.savepoint(work)),
      }),
    );
  }
}

class PgOrderRepo implements OrderRepo {
  constructor(private readonly db: DBTX) {}

  async create(
    ctx: Ctx,
    userId: number,
    items: readonly OrderItem[],
    checkoutKey: string | undefined,
    first: StatusChange,
  ): Promise<number | null> {
    const [row] = await q.insertOrderWithEvent(
      this.db,
      {
        userId,
        checkoutKey: checkoutKey ?? null,
        skus: items.map((i) => i.sku),
        counts: items.map((i) => i.count),
        ...eventColumns(ctx, first),
      },
      ctx.signal,
    );
    return row?.id ?? null;
  }

  async get(ctx: Ctx, orderId: number): Promise<Order | null> {
    const row = await q.getOrder(this.db, { id: orderId }, ctx.signal);
    return row && this.#withItems(ctx, row);
  }

  async getByCheckoutKey(ctx: Ctx, checkoutKey: string): Promise<Order | null> {
    const row = await q.getOrderByCheckoutKey(this.db, { checkoutKey }, ctx.signal);
    return row && this.#withItems(ctx, row);
  }

  async getForUpdate(ctx: Ctx, orderId: number): Promise<Order | null> {
    const row = await q.getOrderForUpdate(this.db, { id: orderId }, ctx.signal);
    return row && this.#withItems(ctx, row);
  }

  async setStatus(ctx: Ctx, orderId: number, change: StatusChange): Promise<void> {
    const updated = await q.setOrderStatusWithEvent(
      this.db,
      { orderId, ...eventColumns(ctx, change) },
      ctx.signal,
    );
    if (updated !== 1) throw AppError.internal(`order ${orderId} vanished while changing status`);
  }

  async claimExpired(ctx: Ctx, timeoutMs: number, limit: number): Promise<Order[]> {
    const rows = await q.claimExpiredOrders(this.db, { timeoutMs, batchSize: limit }, ctx.signal);
    const orders: Order[] = [];
    for (const row of rows) orders.push(await this.#withItems(ctx, row));
    return orders;
  }

  async parkExpired(ctx: Ctx, orderId: number, reason: string): Promise<void> {
    await e.parkExpiredOrder(this.db, { orderId, reason }, ctx.signal);
  }

  async #withItems(ctx: Ctx, row: { id: number; userId: number; status: string }): Promise<Order> {
    const items = await q.getOrderItems(this.db, { orderId: row.id }, ctx.signal);
    return { id: row.id, userId: row.userId, status: row.status as OrderStatus, items };
  }
}

/** A status change's outbox columns, with the request metadata worth carrying from `ctx`. */
function eventColumns(ctx: Ctx, change: StatusChange) {
  return {
    eventId: change.eventId,
    status: change.status,
    moment: change.moment,
    requestId: getValue(ctx, requestIdKey) ?? null,
    traceContext: traceparentOf(ctx),
  };
}

/** Thrown inside the reservation savepoint to roll back the items reserved so far. */
class Shortfall extends Error {}

class PgStockRepo implements StockRepo {
  constructor(
    private readonly db: DBTX,
    private readonly atomically: Atomically,
  ) {}

  async get(ctx: Ctx, sku: number): Promise<Stock | null> {
    return s.getStock(this.db, { sku }, ctx.signal);
  }

  async reserveAll(ctx: Ctx, items: readonly OrderItem[]): Promise<boolean> {
    // One item is one conditional UPDATE, atomic by itself: when it reserves nothing there is
    // nothing to undo, so it skips the savepoint and its two round trips (SAVEPOINT, RELEASE).
    const [only] = items;
    if (only && items.length === 1) return (await s.reserveStock(this.db, only, ctx.signal)) === 1;
    // Items arrive sorted by SKU, so concurrent orders lock stock rows in the same order and
    // cannot deadlock each other.
    try {
      await this.atomically(ctx.signal, async (db) => {
        for (const item of items) {
          if ((await s.reserveStock(db, item, ctx.signal)) !== 1) throw new Shortfall();
        }
      });
      return true;
    } catch (err) {
      if (err instanceof Shortfall) return false;
      throw err;
    }
  }

  async release(ctx: Ctx, items: readonly OrderItem[]): Promise<void> {
    for (const item of items) {
      if ((await s.releaseStock(this.db, item, ctx.signal)) !== 1) throw inconsistent(item);
    }
  }

  async ship(ctx: Ctx, items: readonly OrderItem[]): Promise<void> {
    for (const item of items) {
      if ((await s.shipReservedStock(this.db, item, ctx.signal)) !== 1) throw inconsistent(item);
    }
  }
}

// A reservation that the stock row cannot cover means the data broke an invariant: refuse
// (and roll back) rather than drive counts negative.
const inconsistent = (item: OrderItem) =>
  AppError.internal(`stock of sku ${item.sku} does not cover a reservation of ${item.count}`);
