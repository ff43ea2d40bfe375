// What the notifications use case needs from the outside world: a transactional store
// (repo.ts over Postgres), a way to tell the customer (notifier.ts: a structured log line), and
// counters (main.ts: Prometheus).

import type { Ctx } from "../platform/rpc/context.ts";
import type { IncomingMessage, Notification } from "./model.ts";

export interface NotificationStore {
  /**
   * Stores the notification and records its event id, atomically; false, storing nothing, when
   * the id was recorded before (a duplicate delivery). Rejects INVALID_ARGUMENT when the database
   * refused the values themselves (a data or integrity error: refused again on every retry); any
   * other rejection is a failure that may pass.
   */
  record(ctx: Ctx, notification: Notification): Promise<boolean>;
  /** One order's notifications, oldest first. */
  listByOrder(ctx: Ctx, orderId: number): Promise<Notification[]>;
  /** Stores a poison message for inspection and replay; false when it was stored before. */
  savePoison(ctx: Ctx, message: IncomingMessage, reason: string): Promise<boolean>;
  /** Poison messages not replayed yet, oldest first. */
  listPoison(ctx: Ctx, limit: number): Promise<{ id: number; message: IncomingMessage }[]>;
  markPoisonReplayed(ctx: Ctx, id: number): Promise<void>;
}

/**
 * Reads a message's value as an order event (event-decoding.ts), or says why it is not one: not
 * JSON, not a loms.v1.OrderEvent, or one that breaks its rules.
 */
export type EventDecoder = (value: string) => { event: Notification } | { reason: string };

export interface Notifier {
  /** Called once per notification, after it committed. */
  notify(notification: Notification): void;
}

export type Outcome = "notified" | "duplicate" | "poison";

/** One message's fate; a poison message with why. */
export type Handled = { outcome: "notified" | "duplicate" } | { outcome: "poison"; reason: string };

/** What replaying one stored poison message did. */
export type PoisonReplay = Handled & { readonly id: number };

export interface NotificationObserver {
  /** One message handled, and how long that took (decoding, the transaction). */
  handled(outcome: Outcome, seconds: number): void;
  /** A poison message, with why; also logged here so the log is not the use case's concern. */
  poison(message: IncomingMessage, reason: string): void;
}
