// Postgres adapter of the notifications store, over the sqlc-generated queries.

import * as q from "../gen/sql/notifications/notifications_sql.ts";
import type { Database } from "../platform/db/postgres.ts";
import { describeDbError, isPermanentDbError } from "../platform/db/sqlstate.ts";
import type { Ctx } from "../platform/rpc/context.ts";
import { AppError } from "../platform/rpc/errors.ts";
import type { IncomingMessage, Notification } from "./model.ts";
import type { NotificationStore } from "./ports.ts";

export class PgNotificationStore implements NotificationStore {
  constructor(private readonly db: Database) {}

  async record(ctx: Ctx, notification: Notification): Promise<boolean> {
    try {
      return (await q.recordNotification(this.db, notification, ctx.signal)) === 1;
    } catch (err) {
      // The port's contract: a refusal of the values themselves is INVALID_ARGUMENT, with the
      // SQLSTATE and the constraint or column but not the values (they go to logs).
      if (isPermanentDbError(err))
        throw new AppError("INVALID_ARGUMENT", describeDbError(err), { cause: err });
      throw err;
    }
  }

  listByOrder(ctx: Ctx, orderId: number): Promise<Notification[]> {
    return q.listNotifications(this.db, { orderId }, ctx.signal);
  }

  async savePoison(ctx: Ctx, message: IncomingMessage, reason: string): Promise<boolean> {
    const stored = await q.insertPoisonMessage(
      this.db,
      {
        ...message,
        key: storable(message.key),
        value: storable(message.value),
        messageOffset: message.offset,
        // JSON escapes NUL as \u0000, which jsonb refuses as well.
        headers: JSON.stringify(message.headers).replaceAll("\\u0000", "\\uFFFD"),
        reason: storable(reason),
      },
      ctx.signal,
    );
    return stored === 1;
  }

  async listPoison(ctx: Ctx, limit: number): Promise<{ id: number; message: IncomingMessage }[]> {
    const rows = await q.listUnreplayedPoison(this.db, { maxRows: limit }, ctx.signal);
    return rows.map(({ id, headers, ...message }) => ({
      id,
      message: { ...message, headers: (headers ?? {}) as Record<string, string> },
    }));
  }

  async markPoisonReplayed(ctx: Ctx, id: number): Promise<void> {
    await q.markPoisonReplayed(this.db, { id }, ctx.signal);
  }
}

/**
 * Postgres text (and jsonb) cannot hold NUL, which a poison message may well contain; storing
 * must not fail, or the message would block its partition. Replaced, the rest stays readable.
 */
function storable(text: string): string {
  return text.replaceAll("\u0000", "\uFFFD");
}
