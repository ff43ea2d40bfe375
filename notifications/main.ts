// Notifications wiring: Postgres → store → use case; the order-events consumer group; the HTTP
// query with /metrics, /healthz and /readyz (Postgres and Kafka).

import { type Env, envInt, envList, envString } from "../platform/config.ts";
import { Database } from "../platform/db/postgres.ts";
import type { EventBus } from "../platform/events/bus.ts";
import { kafkaBus } from "../platform/events/kafka.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { createMetrics } from "../platform/observability/metrics.ts";
import { observePool } from "../platform/observability/saturation.ts";
import { createTracing, type TracingConfig, tracingConfig } from "../platform/observability/tracing.ts";
import { startService } from "../platform/service.ts";
import { runMain } from "../platform/startup.ts";
import { consumeOrderEvents } from "./consumer.ts";
import { decodeOrderEvent } from "./event-decoding.ts";
import { notificationMetrics } from "./metrics.ts";
import { logNotifier } from "./notifier.ts";
import { PgNotificationStore } from "./repo.ts";
import { notificationsEndpoints } from "./server.ts";
import { NotificationsUsecase } from "./usecase.ts";

export interface NotificationsConfig {
  readonly host: string;
  readonly httpPort: number;
  readonly databaseUrl: string;
  readonly dbPoolMax: number;
  readonly kafkaBrokers: readonly string[];
  readonly topic: string;
  readonly group: string;
  readonly tracing: TracingConfig;
}

export function notificationsConfig(env: Env): NotificationsConfig {
  return {
    host: envString(env, "NOTIFICATIONS_HOST", "127.0.0.1"),
    httpPort: envInt(env, "NOTIFICATIONS_HTTP_PORT", 8085),
    databaseUrl: envString(
      env,
      "NOTIFICATIONS_DATABASE_URL",
      "postgres://notifications:notifications@127.0.0.1:6435/notifications",
    ),
    dbPoolMax: envInt(env, "NOTIFICATIONS_DB_POOL_MAX", 10, 1),
    kafkaBrokers: envList(env, "NOTIFICATIONS_KAFKA_BROKERS", [
      "127.0.0.1:9092",
      "127.0.0.1:9093",
      "127.0.0.1:9094",
    ]),
    topic: envString(env, "NOTIFICATIONS_TOPIC", "loms.order-events"),
    group: envString(env, "NOTIFICATIONS_GROUP", "notifications"),
    tracing: tracingConfig(env),
  };
}

export interface RunningNotifications {
  readonly httpPort: number;
  /** Readiness off while serving goes on: the first step of a shutdown. */
  drain(): void;
  stop(): Promise<void>;
}

/** `bus`: where order events come from; Kafka at `config.kafkaBrokers` unless given (embedded mode). */
export async function startNotifications(
  config: NotificationsConfig,
  bus?: EventBus,
): Promise<RunningNotifications> {
  const logger = createLogger("notifications");
  const tracing = createTracing("notifications", config.tracing);
  const events = bus ?? kafkaBus({ brokers: config.kafkaBrokers, clientId: "notifications", logger });
  const metrics = createMetrics("notifications");
  const db = new Database({
    url: config.databaseUrl,
    max: config.dbPoolMax,
    applicationName: "notifications",
    tracer: tracing.tracer,
  });
  observePool(metrics.registry, "db", "notifications", () => db.stats());
  const usecase = new NotificationsUsecase(
    new PgNotificationStore(db),
    logNotifier(logger),
    notificationMetrics(metrics.registry, logger),
    decodeOrderEvent,
  );
  const service = await startService({
    name: "notifications",
    logger,
    tracing,
    host: config.host,
    httpPort: config.httpPort,
    endpoints: notificationsEndpoints(usecase),
    metrics,
    readiness: async () => {
      const signal = AbortSignal.timeout(2_000);
      await Promise.all([db.ping(signal), events.ping(signal)]);
    },
  });
  const subscription = await consumeOrderEvents(events, usecase, config.topic, config.group, tracing.tracer);
  return {
    httpPort: service.httpPort,
    drain: service.drain,
    stop: async () => {
      await service.stop();
      await subscription.stop();
      if (!bus) await events.close();
      await db.close();
    },
  };
}

if (import.meta.main) {
  await runMain(createLogger("notifications"), "notifications", () =>
    startNotifications(notificationsConfig(process.env)),
  );
}
