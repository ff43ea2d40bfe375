// What the LOMS use cases need from the outside world. Adapters (repo.ts) implement these over
// Postgres; unit tests implement them with mocks.

import type { Ctx } from "../platform/rpc/context.ts";
import type { Order, OrderEvent, OrderItem, StatusChange, Stock } from "./model.ts";

/** Repositories bound to one transaction. */
export interface TxRepos {
  readonly orders: OrderRepo;
  readonly stocks: StockRepo;
}

/**
 * Orders and the outbox together: every status an order is given is written with its outbox
 * event, in one statement, so that neither exists without the other (and the transaction pays
 * one round trip for both). The request metadata the event carries (request id, trace) is taken
 * from `ctx`.
 */
export interface OrderRepo {
  /**
   * Inserts the order in `first.status` with its (normalized) items and the event of that
   * status; returns the new id, or null when another order already holds `checkoutKey`
   * (nothing is inserted then).
   */
  create(
    ctx: Ctx,
    userId: number,
    items: readonly OrderItem[],
    checkoutKey: string | undefined,
    first: StatusChange,
  ): Promise<number | null>;
  get(ctx: Ctx, orderId: number): Promise<Order | null>;
  /** The order created with this checkout key, if any. */
  getByCheckoutKey(ctx: Ctx, checkoutKey: string): Promise<Order | null>;
  /** Like get, and locks the order until the transaction ends. */
  getForUpdate(ctx: Ctx, orderId: number): Promise<Order | null>;
  setStatus(ctx: Ctx, orderId: number, change: StatusChange): Promise<void>;
  /**
   * Locks up to `limit` orders awaiting payment for longer than `timeoutMs` by the database's
   * clock (replicas' clocks may drift; the database's is the one updated_at was written with),
   * skipping locked and parked ones.
   */
  claimExpired(ctx: Ctx, timeoutMs: number, limit: number): Promise<Order[]>;
  /** Takes an order out of expiry for good (until an operator deletes the parking row). */
  parkExpired(ctx: Ctx, orderId: number, reason: string): Promise<void>;
}

export interface StockRepo {
  get(ctx: Ctx, sku: number): Promise<Stock | null>;
  /** Reserves every item or none; false when any SKU lacks stock (or does not exist). */
  reserveAll(ctx: Ctx, items: readonly OrderItem[]): Promise<boolean>;
  /** Returns reserved units to availability; items sorted by SKU, one entry per SKU. */
  release(ctx: Ctx, items: readonly OrderItem[]): Promise<void>;
  /** Takes reserved units out of both reserved and total (the goods leave the warehouse). */
  ship(ctx: Ctx, items: readonly OrderItem[]): Promise<void>;
}

/** The transactional store: plain reads outside, atomic units of work inside `inTx`. */
export interface LomsStore extends TxRepos {
  inTx<T>(ctx: Ctx, work: (repos: TxRepos) => Promise<T>): Promise<T>;
}

/** An outbox row waiting to be published. */
export interface PendingEvent extends OrderEvent {
  /** Outbox position: publishing in id order keeps each order's events in commit order. */
  readonly id: number;
  readonly requestId: string | null;
  readonly traceContext: string | null;
  readonly attempts: number;
}

/** The relay's work inside one outbox transaction. */
export interface OutboxTx {
  /**
   * Locks up to `limit` pending events, oldest first, skipping orders with a parked event and
   * leaving out those of `heldOrderIds`.
   */
  claim(limit: number, heldOrderIds: readonly number[]): Promise<PendingEvent[]>;
  markSent(ids: readonly number[]): Promise<void>;
  /** Keeps the events pending, counting the attempt and remembering why it failed. */
  markFailed(ids: readonly number[], error: string): Promise<void>;
  /**
   * Sets an event aside, with why, for an operator: it is not claimed again, nor are its order's
   * later events, until it is unparked (docs/operations.md).
   */
  park(id: number, reason: string): Promise<void>;
}

/**
 * The relay's own connection to the outbox. It holds the relay lock for as long as it lives, so
 * it must be a direct connection (a session lock and LISTEN do not survive transaction pooling).
 */
export interface OutboxSession {
  /** Tries to become the one active relay; once true, true until the session closes. */
  tryLead(signal: AbortSignal): Promise<boolean>;
  inTx<T>(signal: AbortSignal, work: (tx: OutboxTx) => Promise<T>): Promise<T>;
  /** Calls `wake` whenever new events commit. */
  onNewEvents(wake: () => void): Promise<void>;
  close(): Promise<void>;
}

export type OpenOutboxSession = () => Promise<OutboxSession>;

/** Retention of sent events; any connection will do (every replica cleans, see outbox-cleanup.ts). */
export interface OutboxRetention {
  /** Deletes up to `limit` events sent more than `retentionMs` ago; returns how many. */
  deleteSent(signal: AbortSignal, retentionMs: number, limit: number): Promise<number>;
}
