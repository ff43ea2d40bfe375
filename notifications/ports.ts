// What the notifications use case needs from the outside world: a transactional store
// (repo.ts over Postgres), a way to tell the customer (notifier.ts: a structured log line), and
// counters (main.ts: Prometheus).

import type { Ctx } from "../platform/rpc/context.ts";
import type { IncomingMessage, OrderEvent } from "./model.ts";

export interface NotificationTx {
  /** Records the event id; false when it was recorded before (a duplicate delivery). */
  markProcessed(ctx: Ctx, eventId: string): Promise<boolean>;
  insert(ctx: Ctx, notification: OrderEvent): Promise<void>;
}

export interface NotificationStore {
  inTx<T>(ctx: Ctx, work: (tx: NotificationTx) => Promise<T>): Promise<T>;
  /** One order's notifications, oldest first. */
  listByOrder(ctx: Ctx, orderId: number): Promise<OrderEvent[]>;
  /** Stores an undecodable message for inspection; false when it was stored before. */
  savePoison(ctx: Ctx, message: IncomingMessage, reason: string): Promise<boolean>;
}

export interface Notifier {
  /** Called once per notification, after it committed. */
  notify(notification: OrderEvent): void;
}

export type Outcome = "notified" | "duplicate" | "poison";

export interface NotificationObserver {
  /** One message handled, and how long that took (decoding, the transaction). */
  handled(outcome: Outcome, seconds: number): void;
  /** A poison message, with why; also logged here so the log is not the use case's concern. */
  poison(message: IncomingMessage, reason: string): void;
}
