// The relay's outbox session over a direct Postgres connection (platform/db/direct-session.ts):
// the relay lock is a session advisory lock, wake-ups come from the outbox trigger's NOTIFY.
// Retention runs on the service's pool instead, beside the relay rather than inside its loop.

import * as o from "../gen/sql/loms/outbox_sql.ts";
import { DirectSession } from "../platform/db/direct-session.ts";
import type { DBTX } from "../platform/db/postgres.ts";
import type { OrderStatus } from "./model.ts";
import type { OpenOutboxSession, OutboxRetention, OutboxSession, OutboxTx, PendingEvent } from "./ports.ts";

/** pg_advisory_lock key of the LOMS relay: any constant unique within the LOMS database. */
const RELAY_LOCK_KEY = 0x4c4f4d53; // "LOMS"
/** The channel sql/loms/migrations' outbox trigger notifies. */
const OUTBOX_CHANNEL = "order_events_outbox";

export function pgOutboxSessions(directUrl: string): OpenOutboxSession {
  return async () => new PgOutboxSession(await DirectSession.open(directUrl, "loms-relay"));
}

class PgOutboxSession implements OutboxSession {
  constructor(private readonly session: DirectSession) {}

  tryLead(signal: AbortSignal): Promise<boolean> {
    return this.session.tryLock(RELAY_LOCK_KEY, signal);
  }

  inTx<T>(signal: AbortSignal, work: (tx: OutboxTx) => Promise<T>): Promise<T> {
    return this.session.inTx(signal, (db) =>
      work({
        claim: async (limit, heldOrderIds) =>
          (
            await o.claimPendingOrderEvents(db, { heldOrderIds: [...heldOrderIds], batchSize: limit }, signal)
          ).map((row): PendingEvent => ({ ...row, status: row.status as OrderStatus })),
        markSent: async (ids) => void (await o.markOrderEventsSent(db, { ids: [...ids] }, signal)),
        markFailed: async (ids, error) =>
          void (await o.markOrderEventsFailed(db, { ids: [...ids], lastError: error }, signal)),
        park: (id, reason) => o.parkOrderEvent(db, { id, reason }, signal),
      }),
    );
  }

  onNewEvents(wake: () => void): Promise<void> {
    return this.session.listen(OUTBOX_CHANNEL, wake);
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

export function pgOutboxRetention(db: DBTX): OutboxRetention {
  return {
    deleteSent: (signal, retentionMs, limit) =>
      o.deleteSentOrderEvents(db, { retentionMs, batchSize: limit }, signal),
  };
}
