// Postgres adapter of the notifications store, over the sqlc-generated queries.

import * as q from "../gen/sql/notifications/notifications_sql.ts";
import type { Database, DBTX } from "../platform/db/postgres.ts";
import type { Ctx } from "../platform/rpc/context.ts";
import type { IncomingMessage, OrderEvent, OrderStatus } from "./model.ts";
import type { NotificationStore, NotificationTx } from "./ports.ts";

export class PgNotificationStore implements NotificationStore {
  constructor(private readonly db: Database) {}

  inTx<T>(ctx: Ctx, work: (tx: NotificationTx) => Promise<T>): Promise<T> {
    return this.db.withTx(ctx.signal, (db) => work(txRepo(db)));
  }

  async listByOrder(ctx: Ctx, orderId: number): Promise<OrderEvent[]> {
    const rows = await q.listNotifications(this.db, { orderId }, ctx.signal);
    return rows.map((r) => ({ ...r, status: r.status as OrderStatus }));
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
        reason,
      },
      ctx.signal,
    );
    return stored === 1;
  }
}

function txRepo(db: DBTX): NotificationTx {
  return {
    markProcessed: async (ctx, eventId) => (await q.markEventProcessed(db, { eventId }, ctx.signal)) === 1,
    insert: async (ctx, n) => q.insertNotification(db, n, ctx.signal),
  };
}

/**
 * Postgres text (and jsonb) cannot hold NUL, which a poison message may well contain; storing
 * must not fail, or the message would block its partition. Replaced, the rest stays readable.
 */
function storable(text: string): string {
  return text.replaceAll("\u0000", "\uFFFD");
}
