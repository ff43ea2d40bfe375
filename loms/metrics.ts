// LOMS' business metrics, read from Postgres so that they are true across restarts and across
// instances sharing the database: orders by status, the outbox's backlog, the relay's lag
// (the age of the oldest event Kafka has not acknowledged) and parked rows.

import { Counter, Gauge, type Registry } from "prom-client";
import {
  type CountOrdersByStatusRow,
  countOrdersByStatus,
  outboxBacklog,
} from "../gen/sql/loms/metrics_sql.ts";
import type { DBTX } from "../platform/db/postgres.ts";

/** How old the orders-by-status counts may be when a scrape reads them. */
const ORDERS_REFRESH_MS = 15_000;

/**
 * Orders by status, counted at most once per `refreshMs` however often /metrics is scraped
 * (several Prometheus servers, a curl loop): counting is a GROUP BY over every order, which
 * grows with the table. Concurrent scrapes share one count. Cached rather than maintained
 * incrementally: a counter row per status would be updated by every order transaction, a hot
 * row on the very path that must not oversell, to serve a dashboard trend that a 15 s old
 * count serves as well.
 */
export function observeOrders(registry: Registry, db: DBTX, refreshMs = ORDERS_REFRESH_MS): void {
  let countedAt = Number.NEGATIVE_INFINITY;
  let counting: Promise<void> | undefined;
  let counts: CountOrdersByStatusRow[] | undefined;
  const count = async () => {
    // While the database is away the last counts stay (rather than failing /metrics); readiness
    // reports the outage.
    counts = (await countOrdersByStatus(db, AbortSignal.timeout(2_000)).catch(() => undefined)) ?? counts;
  };
  new Gauge({
    name: "loms_orders",
    help: `Orders stored, by status (counted at most every ${refreshMs / 1000} s).`,
    labelNames: ["status"] as const,
    registers: [registry],
    async collect() {
      if (counting === undefined && performance.now() - countedAt >= refreshMs) {
        countedAt = performance.now();
        counting = count().finally(() => {
          counting = undefined;
        });
      }
      await counting;
      if (!counts) return;
      this.reset();
      for (const row of counts) this.set({ status: row.status }, row.orders);
    },
  });
}

export function observeOutbox(registry: Registry, db: DBTX): void {
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
