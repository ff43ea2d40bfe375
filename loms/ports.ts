// What the LOMS use cases need from the outside world. Adapters (repo.ts) implement these over
// Postgres; unit tests implement them with mocks.

import type { Ctx } from "../platform/rpc/context.ts";
import type { Order, OrderItem, OrderStatus, Stock } from "./model.ts";

/** Repositories bound to one transaction. */
export interface TxRepos {
  readonly orders: OrderRepo;
  readonly stocks: StockRepo;
}

export interface OrderRepo {
  /** Inserts the order with its (normalized) items; returns the new id. */
  create(ctx: Ctx, userId: number, status: OrderStatus, items: readonly OrderItem[]): Promise<number>;
  get(ctx: Ctx, orderId: number): Promise<Order | null>;
  /** Like get, and locks the order until the transaction ends. */
  getForUpdate(ctx: Ctx, orderId: number): Promise<Order | null>;
  setStatus(ctx: Ctx, orderId: number, status: OrderStatus): Promise<void>;
  /** Locks up to `limit` orders awaiting payment since before `before`, skipping locked ones. */
  claimExpired(ctx: Ctx, before: Date, limit: number): Promise<Order[]>;
}

export interface StockRepo {
  get(ctx: Ctx, sku: number): Promise<Stock | null>;
  /** Reserves every item or none; false when any SKU lacks stock (or does not exist). */
  reserveAll(ctx: Ctx, items: readonly OrderItem[]): Promise<boolean>;
  /** Returns reserved units to availability. */
  release(ctx: Ctx, items: readonly OrderItem[]): Promise<void>;
  /** Takes reserved units out of both reserved and total (the goods leave the warehouse). */
  ship(ctx: Ctx, items: readonly OrderItem[]): Promise<void>;
}

/** The transactional store: plain reads outside, atomic units of work inside `inTx`. */
export interface LomsStore extends TxRepos {
  inTx<T>(ctx: Ctx, work: (repos: TxRepos) => Promise<T>): Promise<T>;
}
