// Notifications wiring: Postgres → store → use case; the order-events consumer group; the HTTP
// query with /metrics, /healthz and /readyz (Postgres and Kafka).

import { type Env, envBool, envInt, envList, envString } from "../platform/config.ts";
import type { EventBus } from "../platform/events/bus.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { type TracingConfig, tracingConfig } from "../platform/observability/tracing.ts";
import type { RunningServer } from "../platform/service.ts";
import { readinessOf, serviceKit } from "../platform/service-kit.ts";
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
  /** Named prepared statements: only on a direct connection to Postgres (see PoolOptions.prepare). */
  readonly dbPrepare: boolean;
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
    dbPrepare: envBool(env, "NOTIFICATIONS_DB_PREPARE", false),
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

export async function startNotifications(
  config: NotificationsConfig,
  bus?: EventBus,
): Promise<RunningServer> {
  const kit = serviceKit("notifications", config.tracing);
  const { logger, metrics, tracing } = kit;
  const db = kit.database({ url: config.databaseUrl, max: config.dbPoolMax, prepare: config.dbPrepare });
  const events = kit.bus(config.kafkaBrokers, bus);
  const usecase = new NotificationsUsecase(
    new PgNotificationStore(db),
    logNotifier(logger),
    notificationMetrics(metrics.registry, logger),
    decodeOrderEvent,
  );
  const server = await kit.serve({
    host: config.host,
    httpPort: config.httpPort,
    endpoints: notificationsEndpoints(usecase),
    readiness: readinessOf(db, events),
  });
  const subscription = await consumeOrderEvents(events, usecase, config.topic, config.group, tracing.tracer);
  kit.onStop(() => subscription.stop());
  return server;
}

if (import.meta.main) {
  await runMain(createLogger("notifications"), "notifications", () =>
    startNotifications(notificationsConfig(process.env)),
  );
}
