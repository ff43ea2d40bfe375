// Turns order events into notifications, each event exactly once: the event id and the
// notification are stored atomically (store.record), and an id seen before is skipped. The caller (the
// consumer) commits the bus offset only after handle() resolved, so an event is either
// handled-and-committed or redelivered — and a redelivery is a duplicate here.
//
// No single message may stop its partition: whatever cannot become a notification however often
// it is tried — not a valid loms.v1.OrderEvent, or refused by the database as data — is stored as
// poison with its reason and skipped. Only a failure that may pass (the database unreachable, a
// deadlock) is thrown, and the bus hands the same message again after a back-off.

import type { Ctx } from "../platform/rpc/context.ts";
import { AppError, hasCode } from "../platform/rpc/errors.ts";
import type { IncomingMessage, Notification } from "./model.ts";
import type {
  EventDecoder,
  Handled,
  NotificationObserver,
  NotificationStore,
  Notifier,
  Outcome,
  PoisonReplay,
} from "./ports.ts";

export class NotificationsUsecase {
  constructor(
    private readonly store: NotificationStore,
    private readonly notifier: Notifier,
    private readonly observer: NotificationObserver,
    private readonly decode: EventDecoder,
  ) {}

  /**
   * Handles one delivered message: notified, duplicate, or poison (stored for inspection and
   * skipped). Throws only for a failure worth retrying: the message is then redelivered.
   */
  async handle(ctx: Ctx, message: IncomingMessage): Promise<Outcome> {
    const started = performance.now();
    const result = await this.#process(ctx, message);
    // Stored once: a redelivered poison message is not reported again.
    if (result.outcome === "poison" && (await this.store.savePoison(ctx, message, result.reason))) {
      this.observer.poison(message, result.reason);
    }
    this.observer.handled(result.outcome, (performance.now() - started) / 1000);
    return result.outcome;
  }

  /**
   * Runs stored poison messages through handling again (after a fix of the decoder, the schema or
   * the stored value): the ones that now pass are marked replayed, the others stay with the reason
   * they fail for now. Oldest first, at most `limit`.
   */
  async replayPoison(ctx: Ctx, limit: number): Promise<PoisonReplay[]> {
    const replays: PoisonReplay[] = [];
    for (const { id, message } of await this.store.listPoison(ctx, limit)) {
      const result = await this.#process(ctx, message);
      if (result.outcome !== "poison") await this.store.markPoisonReplayed(ctx, id);
      replays.push({ id, ...result });
    }
    return replays;
  }

  async #process(ctx: Ctx, message: IncomingMessage): Promise<Handled> {
    const decoded = this.decode(message.value);
    if ("reason" in decoded) return { outcome: "poison", reason: decoded.reason };
    const { event } = decoded;
    let fresh: boolean;
    try {
      fresh = await this.store.record(ctx, event);
    } catch (err) {
      // The store answers INVALID_ARGUMENT only when the database refused the event's values;
      // the same values would be refused on every retry. Anything else may pass: rethrown.
      if (!hasCode(err, "INVALID_ARGUMENT")) throw err;
      return { outcome: "poison", reason: `the database refused the event: ${(err as AppError).detail}` };
    }
    if (!fresh) return { outcome: "duplicate" };
    this.notifier.notify(event);
    return { outcome: "notified" };
  }

  /** One order's notifications, oldest first; empty for an order never heard of. */
  async list(ctx: Ctx, orderId: number): Promise<Notification[]> {
    if (!Number.isSafeInteger(orderId) || orderId <= 0) {
      throw AppError.invalidArgument("order_id must be a positive integer");
    }
    return this.store.listByOrder(ctx, orderId);
  }
}
