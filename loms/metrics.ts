// LOMS' business metrics, read from Postgres at scrape time so that they are true across
// restarts and across instances sharing the database: orders by status.

import { Gauge, type Registry } from "prom-client";
import { countOrdersByStatus } from "../gen/sql/loms/metrics_sql.ts";
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
