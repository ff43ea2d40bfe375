// Prometheus view of the consumer: events by outcome (notified / duplicate / poison). Poison
// messages are also logged here with where they came from, for whoever inspects them.

import { Counter, Histogram, type Registry } from "prom-client";
import type { Logger } from "../platform/observability/logger.ts";
import type { NotificationObserver } from "./ports.ts";

export function notificationMetrics(registry: Registry, logger: Logger): NotificationObserver {
  const events = new Counter({
    name: "notifications_events_total",
    help: "Order events consumed, by outcome: notified, duplicate (skipped), poison (stored, skipped).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const handling = new Histogram({
    name: "notifications_handle_seconds",
    help: "Handling one order event: decoding and its Postgres transaction.",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  for (const outcome of ["notified", "duplicate", "poison"]) events.inc({ outcome }, 0);
  return {
    handled: (outcome, seconds) => {
      events.inc({ outcome });
      handling.observe(seconds);
    },
    poison: (m, reason) =>
      logger.warn(
        { topic: m.topic, partition: m.partition, offset: m.offset, key: m.key.slice(0, 100), reason },
        "poison message stored in poison_messages and skipped",
      ),
  };
}
