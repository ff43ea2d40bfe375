// Turns order events into notifications, each event exactly once: the event id and the
// notification commit in one transaction, and an id seen before is skipped. The caller (the
// consumer) commits the bus offset only after handle() resolved, so an event is either
// handled-and-committed or redelivered — and a redelivery is a duplicate here.

import type { Ctx } from "../platform/rpc/context.ts";
import { AppError } from "../platform/rpc/errors.ts";
import { decodeOrderEvent, type IncomingMessage, type OrderEvent } from "./model.ts";
import type { NotificationObserver, NotificationStore, Notifier, Outcome } from "./ports.ts";

export class NotificationsUsecase {
  constructor(
    private readonly store: NotificationStore,
    private readonly notifier: Notifier,
    private readonly observer: NotificationObserver,
  ) {}

  /**
   * Handles one delivered message. A message that is not a valid order event (a poison
   * message) is stored for inspection and skipped, so it cannot stop the partition behind it.
   * Throws only when the store fails: the message is then redelivered, never skipped.
   */
  async handle(ctx: Ctx, message: IncomingMessage): Promise<Outcome> {
    const started = performance.now();
    const done = (outcome: Outcome) => {
      this.observer.handled(outcome, (performance.now() - started) / 1000);
      return outcome;
    };
    const decoded = decodeOrderEvent(message.value);
    if ("reason" in decoded) {
      if (await this.store.savePoison(ctx, message, decoded.reason))
        this.observer.poison(message, decoded.reason);
      return done("poison");
    }
    const { event } = decoded;
    const fresh = await this.store.inTx(ctx, async (tx) => {
      if (!(await tx.markProcessed(ctx, event.eventId))) return false;
      await tx.insert(ctx, event);
      return true;
    });
    if (!fresh) return done("duplicate");
    this.notifier.notify(event);
    return done("notified");
  }

  /** One order's notifications, oldest first; empty for an order never heard of. */
  async list(ctx: Ctx, orderId: number): Promise<OrderEvent[]> {
    if (!Number.isSafeInteger(orderId) || orderId <= 0) {
      throw AppError.invalidArgument("order_id must be a positive integer");
    }
    return this.store.listByOrder(ctx, orderId);
  }
}
