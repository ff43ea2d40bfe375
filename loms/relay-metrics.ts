// Prometheus view of the outbox relay: batch sizes by what woke the relay (the benchmark reads
// these), publish failures, parked rows, and whether this replica is the active relay.

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
  const publishing = new Histogram({
    name: "outbox_relay_publish_seconds",
    help: "From sending a batch to the broker's acknowledgement (acks=-1).",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const failures = new Counter({
    name: "outbox_relay_publish_failures_total",
    help: "Relay batches the broker did not acknowledge (kept pending, retried).",
    registers: [registry],
  });
  const parked = new Counter({
    name: "outbox_relay_parked_total",
    help: "Outbox rows set aside because they cannot be encoded as loms.v1.OrderEvent (order_events_outbox.parked_at).",
    registers: [registry],
  });
  const active = new Gauge({
    name: "outbox_relay_active",
    help: "1 while this replica holds the relay lock.",
    registers: [registry],
  });
  return {
    batch: (size, wokenBy, publishSeconds) => {
      batches.observe({ woken_by: wokenBy }, size);
      publishing.observe(publishSeconds);
    },
    failed: () => failures.inc(),
    parked: (count) => parked.inc(count),
    leading: (on) => active.set(on ? 1 : 0),
  };
}
