// Prometheus view of the outbox relay: batch sizes by what woke the relay (the benchmark reads
// these), publish failures, and whether this replica is the active relay.

import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { RelayObserver } from "./relay.ts";

export function relayMetrics(registry: Registry): RelayObserver {
  const batches = new Histogram({
    name: "outbox_relay_batch_size",
    help: "Order events published per relay transaction, by what woke the relay.",
    labelNames: ["woken_by"] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  });
  const failures = new Counter({
    name: "outbox_relay_publish_failures_total",
    help: "Relay batches the broker did not acknowledge (kept pending, retried).",
    registers: [registry],
  });
  const active = new Gauge({
    name: "outbox_relay_active",
    help: "1 while this replica holds the relay lock.",
    registers: [registry],
  });
  return {
    batch: (size, wokenBy) => batches.observe({ woken_by: wokenBy }, size),
    failed: () => failures.inc(),
    leading: (on) => active.set(on ? 1 : 0),
  };
}
