// LOMS business rules: order lifecycle and stock. Every state change is one transaction that
// also appends the change's event to the outbox; the order row lock (getForUpdate) serializes
// pay, cancel and expiry of the same order, so one order's events commit in the order they happen.

import type { Ctx } from "../platform/rpc/context.ts";
import { AppError } from "../platform/rpc/errors.ts";
import {
  available,
  normalizeItems,
  type Order,
  type OrderItem,
  OrderStatus,
  type StatusChange,
} from "./model.ts";
import type { LomsStore, TxRepos } from "./ports.ts";

/** A way out of `awaiting payment`: the status it leads to and what it does to the reserved units. */
interface Settlement {
  readonly to: OrderStatus;
  readonly verb: string;
  readonly stock: (ctx: Ctx, tx: TxRepos, items: readonly OrderItem[]) => Promise<void>;
}

const PAY: Settlement = {
  to: OrderStatus.Payed,
  verb: "payed",
  stock: (ctx, tx, items) => tx.stocks.ship(ctx, items),
};
const CANCEL: Settlement = {
  to: OrderStatus.Cancelled,
  verb: "cancelled",
  stock: (ctx, tx, items) => tx.stocks.release(ctx, items),
};

export class LomsUsecase {
  constructor(private readonly store: LomsStore) {}

  /**
   * Stores the order as `new`, then reserves all items or none, all in one transaction. Without
   * stock the order is kept as `failed` and FAILED_PRECONDITION is returned. With a checkout key
   * an order is created at most once per key; a repeat is answered by priorCheckout.
   */
  async createOrder(
    ctx: Ctx,
    userId: number,
    items: readonly OrderItem[],
    checkoutKey?: string,
  ): Promise<number> {
    if (items.length === 0) throw AppError.invalidArgument("an order needs at least one item");
    const normalized = normalizeItems(items);
    const { orderId, reserved } = await this.store.inTx(ctx, async (tx) => {
      const orderId = await tx.orders.create(ctx, userId, normalized, checkoutKey, change(OrderStatus.New));
      // A repeated checkout key changes nothing, so it records no event either.
      if (orderId === null) return priorCheckout(ctx, tx, userId, normalized, checkoutKey ?? "");
      const reserved = await tx.stocks.reserveAll(ctx, normalized);
      await changeStatus(ctx, tx, orderId, reserved ? OrderStatus.AwaitingPayment : OrderStatus.Failed);
      return { orderId, reserved };
    });
    if (!reserved) {
      throw AppError.failedPrecondition(`order ${orderId} failed: not enough stock for its items`);
    }
    return orderId;
  }

  async orderInfo(ctx: Ctx, orderId: number): Promise<Order> {
    const order = await this.store.orders.get(ctx, orderId);
    if (!order) throw notFound(orderId);
    return order;
  }

  /** Pays an order awaiting payment: its reserved units ship. Paying a payed order is a no-op. */
  async payOrder(ctx: Ctx, orderId: number): Promise<void> {
    await this.#settle(ctx, orderId, PAY);
  }

  /** Cancels an order awaiting payment, releasing its reservation. Cancelling twice is a no-op. */
  async cancelOrder(ctx: Ctx, orderId: number): Promise<void> {
    await this.#settle(ctx, orderId, CANCEL);
  }

  /** Moves an order out of `awaiting payment` under its row lock; repeating a move is a no-op. */
  async #settle(ctx: Ctx, orderId: number, move: Settlement): Promise<void> {
    await this.store.inTx(ctx, async (tx) => {
      const order = await lockOrder(ctx, tx, orderId);
      if (order.status === move.to) return;
      if (order.status !== OrderStatus.AwaitingPayment) {
        throw AppError.failedPrecondition(`order ${orderId} is ${order.status}, it cannot be ${move.verb}`);
      }
      await move.stock(ctx, tx, order.items);
      await changeStatus(ctx, tx, orderId, move.to);
    });
  }

  /** Units of a SKU that can still be ordered. */
  async stockInfo(ctx: Ctx, sku: number): Promise<number> {
    const stock = await this.store.stocks.get(ctx, sku);
    if (!stock) throw AppError.notFound(`no stock for sku ${sku}`);
    return available(stock);
  }

  /**
   * Cancels up to `batchSize` orders left unpaid for longer than `timeoutMs` (by the database's
   * clock), releasing their stock, in one transaction. Returns how many were cancelled; the
   * caller repeats while batches come back full. The whole batch's reservations are released
   * in one pass in SKU order, the order creates and pays lock stock rows in too: released order
   * by order, a batch would lock SKUs out of order and deadlock with them.
   */
  /**
   * One expiry pass: cancels up to `batchSize` orders unpaid for longer than `timeoutMs` and
   * releases their reservations, in one transaction. When that transaction fails for a reason
   * other than a transient one, the pass goes through the same orders one transaction each, and
   * an order that fails on its own is parked (left to an operator, never claimed again) so that
   * one inconsistent order cannot stop expiry for all. Transient failures (database away,
   * aborted, deadline) are thrown: the next pass retries the batch as it is.
   */
  async cancelExpired(ctx: Ctx, timeoutMs: number, batchSize: number): Promise<ExpiryPass> {
    let claimed: readonly number[] = [];
    try {
      return await this.store.inTx(ctx, async (tx) => {
        const expired = await tx.orders.claimExpired(ctx, timeoutMs, batchSize);
        claimed = expired.map((order) => order.id);
        if (expired.length > 0) {
          await tx.stocks.release(ctx, normalizeItems(expired.flatMap((order) => order.items)));
          for (const order of expired) await changeStatus(ctx, tx, order.id, OrderStatus.Cancelled);
        }
        return { claimed: expired.length, cancelled: expired.length, parked: [] };
      });
    } catch (err) {
      if (claimed.length === 0 || isTransient(err) || ctx.signal.aborted) throw err;
      return this.#cancelEach(ctx, claimed);
    }
  }

  async #cancelEach(ctx: Ctx, orderIds: readonly number[]): Promise<ExpiryPass> {
    const pass = { claimed: orderIds.length, cancelled: 0, parked: [] as ParkedOrder[] };
    for (const orderId of orderIds) {
      try {
        const cancelled = await this.store.inTx(ctx, async (tx) => {
          const order = await tx.orders.getForUpdate(ctx, orderId);
          // Paid or cancelled since the batch was claimed: nothing left to expire.
          if (order?.status !== OrderStatus.AwaitingPayment) return false;
          await tx.stocks.release(ctx, normalizeItems(order.items));
          await changeStatus(ctx, tx, orderId, OrderStatus.Cancelled);
          return true;
        });
        if (cancelled) pass.cancelled++;
      } catch (err) {
        if (isTransient(err) || ctx.signal.aborted) throw err;
        const reason = AppError.from(err).message.slice(0, 1_000);
        await this.store.inTx(ctx, (tx) => tx.orders.parkExpired(ctx, orderId, reason));
        pass.parked.push({ orderId, reason });
      }
    }
    return pass;
  }
}

/** What one expiry pass did; `claimed` equal to the batch size means more may be waiting. */
export interface ExpiryPass {
  readonly claimed: number;
  readonly cancelled: number;
  readonly parked: readonly ParkedOrder[];
}

interface ParkedOrder {
  readonly orderId: number;
  readonly reason: string;
}

/** Failures that say nothing about the order: retry the batch later rather than park anything. */
function isTransient(err: unknown): boolean {
  const { code } = AppError.from(err);
  return code === "UNAVAILABLE" || code === "ABORTED" || code === "DEADLINE_EXCEEDED" || code === "CANCELLED";
}

/**
 * What a repeated checkout key answers. A key names one checkout of exactly these items, so a
 * repeat is the same request only when its items are the order's items: it then answers that
 * order while the order still stands (awaiting payment or payed), or FAILED_PRECONDITION again
 * when it failed for stock. Anything else would report something that did not happen, so the
 * key is spent (ALREADY_EXISTS) and the caller needs a new key for a new order:
 * - other items: answering the first order would tell the caller that items were ordered that
 *   were not (cart would then clear lines no order holds);
 * - a cancelled order (by a user or by expiry): answering it would report a dead order as a
 *   fresh success;
 * - another user's order: not this caller's to see.
 */
async function priorCheckout(
  ctx: Ctx,
  tx: TxRepos,
  userId: number,
  items: readonly OrderItem[],
  checkoutKey: string,
) {
  const prior = await tx.orders.getByCheckoutKey(ctx, checkoutKey);
  if (!prior) throw AppError.internal("an order holds the checkout key but cannot be read");
  if (prior.userId !== userId) throw spentKey("belongs to another user's order");
  if (!sameItems(prior.items, items)) throw spentKey(`was used for order ${prior.id} with other items`);
  if (prior.status === OrderStatus.Cancelled)
    throw spentKey(`was used for order ${prior.id}, since cancelled`);
  return { orderId: prior.id, reserved: prior.status !== OrderStatus.Failed };
}

const spentKey = (why: string) =>
  new AppError("ALREADY_EXISTS", `the checkout key ${why}; a new key makes a new order`);

/** Both normalized (sorted by SKU, one entry per SKU). */
const sameItems = (a: readonly OrderItem[], b: readonly OrderItem[]) =>
  a.length === b.length && a.every((item, i) => item.sku === b[i]?.sku && item.count === b[i]?.count);

/** Every status change after the first goes through here (the repo writes its outbox event with it). */
async function changeStatus(ctx: Ctx, tx: TxRepos, orderId: number, status: OrderStatus): Promise<void> {
  await tx.orders.setStatus(ctx, orderId, change(status));
}

/** A new status, stamped: the id consumers deduplicate on and the moment it happened. */
function change(status: OrderStatus): StatusChange {
  return { eventId: crypto.randomUUID(), status, moment: new Date() };
}

async function lockOrder(ctx: Ctx, tx: TxRepos, orderId: number): Promise<Order> {
  const order = await tx.orders.getForUpdate(ctx, orderId);
  if (!order) throw notFound(orderId);
  return order;
}

const notFound = (orderId: number) => AppError.notFound(`order ${orderId} not found`);
