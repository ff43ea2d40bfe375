// LOMS' business metrics, read from Postgres at scrape time so that they are true across
// restarts and across instances sharing the database: orders by status, the outbox's backlog,
// the relay's lag (the age of the oldest event Kafka has not acknowledged) and parked rows.

import { Counter, Gauge, type Registry } from "prom-client";
import { countOrdersByStatus, outboxBacklog } from "../gen/sql/loms/metrics_sql.ts";
import type { Database } from "../platform/db/postgres.ts";

export function observeOrders(registry: Registry, db: Database): void {
  new Gauge({
    name: "loms_orders",
    help: "Orders stored, by status.",
    labelNames: ["status"] as const,
    registers: [registry],
    async collect() {
      // A scrape while the database is away keeps the last values rather than failing /metrics;
      // readiness reports the outage.
      const rows = await countOrdersByStatus(db, AbortSignal.timeout(2_000)).catch(() => undefined);
      if (!rows) return;
      this.reset();
      for (const row of rows) this.set({ status: row.status }, row.orders);
    },
  });
}

export function observeOutbox(registry: Registry, db: Database): void {
  // Each gauge reads for itself: a registry collects its metrics concurrently.
  const read = () => outboxBacklog(db, AbortSignal.timeout(2_000)).catch(() => null);
  new Gauge({
    name: "outbox_pending_events",
    help: "Order events in the outbox that Kafka has not acknowledged yet.",
    registers: [registry],
    async collect() {
      const row = await read();
      if (row) this.set(row.pending);
    },
  });
  new Gauge({
    name: "outbox_relay_lag_seconds",
    help: "Age of the oldest order event not yet acknowledged by Kafka (0 when none is pending).",
    registers: [registry],
    async collect() {
      const row = await read();
      if (row) this.set(row.oldestSeconds);
    },
  });
  new Gauge({
    name: "outbox_parked_events",
    help: "Outbox rows parked because they cannot be encoded; they wait for an operator (docs/operations.md).",
    registers: [registry],
    async collect() {
      const row = await read();
      if (row) this.set(row.parked);
    },
  });
}

/** Counts orders the expiry loop parked (see loms/expiry.ts); returns what the loop calls. */
export function expiryParkedCounter(registry: Registry): (count: number) => void {
  const parked = new Counter({
    name: "loms_expiry_parked_orders_total",
    help: "Unpaid orders the expiry loop could not cancel (their data breaks an invariant) and parked in expiry_parked_orders.",
    registers: [registry],
  });
  return (count) => parked.inc(count);
}
