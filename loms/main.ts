// LOMS wiring: Postgres → repositories → use case → gRPC + gateway, the stock seed, the
// unpaid-order expiry loop, and the outbox relay publishing order events to the bus (Kafka, or
// the in-process bus embedded mode hands in).

import { LomsService } from "../gen/proto/loms/v1/loms_pb.ts";
import { type Env, envBool, envInt, envList, envString } from "../platform/config.ts";
import type { EventBus } from "../platform/events/bus.ts";
import type { ApiDocs } from "../platform/http/openapi.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { type TracingConfig, tracingConfig } from "../platform/observability/tracing.ts";
import { bindService } from "../platform/rpc/call.ts";
import type { RunningServer } from "../platform/service.ts";
import { readinessOf, serviceKit } from "../platform/service-kit.ts";
import { runMain } from "../platform/startup.ts";
import { runExpiryLoop } from "./expiry.ts";
import { expiryParkedCounter, observeOrders, observeOutbox } from "./metrics.ts";
import { type OutboxCleanupOptions, runOutboxCleanup } from "./outbox-cleanup.ts";
import { pgOutboxRetention, pgOutboxSessions } from "./outbox-repo.ts";
import { type RelayOptions, runRelay } from "./relay.ts";
import { relayMetrics } from "./relay-metrics.ts";
import { PgLomsStore } from "./repo.ts";
import { seedStocksOnce } from "./seed.ts";
import { lomsHandlers } from "./server.ts";
import { LomsUsecase } from "./usecase.ts";

/** What /docs describes (and `make lint` checks with Redocly). */
export const lomsApiDocs: ApiDocs = { services: [LomsService] };

export interface LomsConfig {
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly databaseUrl: string;
  /** Straight to Postgres, not pgbouncer: the relay's advisory lock and LISTEN need a session. */
  readonly databaseDirectUrl: string;
  readonly dbPoolMax: number;
  /** Prepared statements: only on a direct Postgres connection (see platform/db/postgres.ts). */
  readonly dbPrepare: boolean;
  readonly kafkaBrokers: readonly string[];
  readonly relay: RelayOptions;
  readonly outboxCleanup: OutboxCleanupOptions;
  /** Stock seed loaded once per database; empty to skip. */
  readonly seedFile: string;
  readonly paymentTimeoutMs: number;
  readonly expiryIntervalMs: number;
  readonly expiryBatchSize: number;
  readonly tracing: TracingConfig;
}

export function lomsConfig(env: Env): LomsConfig {
  return {
    host: envString(env, "LOMS_HOST", "127.0.0.1"),
    httpPort: envInt(env, "LOMS_HTTP_PORT", 8084),
    grpcPort: envInt(env, "LOMS_GRPC_PORT", 50051),
    databaseUrl: envString(env, "LOMS_DATABASE_URL", "postgres://loms:loms@127.0.0.1:6434/loms"),
    databaseDirectUrl: envString(env, "LOMS_DATABASE_DIRECT_URL", "postgres://loms:loms@127.0.0.1:5434/loms"),
    dbPoolMax: envInt(env, "LOMS_DB_POOL_MAX", 10, 1),
    dbPrepare: envBool(env, "LOMS_DB_PREPARE", false),
    kafkaBrokers: envList(env, "LOMS_KAFKA_BROKERS", ["127.0.0.1:9092", "127.0.0.1:9093", "127.0.0.1:9094"]),
    relay: {
      topic: envString(env, "LOMS_EVENTS_TOPIC", "loms.order-events"),
      batchSize: envInt(env, "LOMS_RELAY_BATCH_SIZE", 100, 1),
      pollIntervalMs: envInt(env, "LOMS_RELAY_POLL_MS", 1_000, 1),
      lockRetryMs: envInt(env, "LOMS_RELAY_LOCK_RETRY_MS", 1_000, 1),
      publishTimeoutMs: envInt(env, "LOMS_RELAY_PUBLISH_TIMEOUT_MS", 30_000, 1),
      backoffInitialMs: envInt(env, "LOMS_RELAY_BACKOFF_MS", 100, 1),
      backoffMaxMs: envInt(env, "LOMS_RELAY_BACKOFF_MAX_MS", 5_000, 1),
    },
    outboxCleanup: {
      retentionMs: envInt(env, "LOMS_RELAY_RETENTION_MS", 3_600_000, 0),
      intervalMs: envInt(env, "LOMS_RELAY_CLEANUP_INTERVAL_MS", 10_000, 1),
      batchSize: 5_000,
    },
    seedFile: envString(env, "LOMS_SEED_FILE", "sql/loms/seed/stocks.json"),
    paymentTimeoutMs: envInt(env, "LOMS_PAYMENT_TIMEOUT_MS", 10 * 60_000, 1),
    expiryIntervalMs: envInt(env, "LOMS_EXPIRY_INTERVAL_MS", 5_000, 1),
    expiryBatchSize: envInt(env, "LOMS_EXPIRY_BATCH_SIZE", 100, 1),
    tracing: tracingConfig(env),
  };
}

/** `bus`: where order events go; Kafka at `config.kafkaBrokers` unless given (embedded mode). */
export async function startLoms(config: LomsConfig, bus?: EventBus): Promise<RunningServer> {
  const kit = serviceKit("loms", config.tracing);
  const { logger, metrics, tracing } = kit;
  const db = kit.database({ url: config.databaseUrl, max: config.dbPoolMax, prepare: config.dbPrepare });
  const events = kit.bus(config.kafkaBrokers, bus);
  if (config.seedFile !== "" && (await seedStocksOnce(db, config.seedFile, kit.signal))) {
    logger.info({ file: config.seedFile }, "stock seed loaded");
  }
  const usecase = new LomsUsecase(new PgLomsStore(db));
  observeOrders(metrics.registry, db);
  observeOutbox(metrics.registry, db);
  const server = await kit.serve({
    host: config.host,
    httpPort: config.httpPort,
    grpcPort: config.grpcPort,
    bindings: [bindService(LomsService, lomsHandlers(usecase))],
    // Not Kafka: orders are taken while the broker is away; the outbox keeps their events.
    readiness: readinessOf(db),
    docs: lomsApiDocs,
  });
  kit.background((signal) =>
    runExpiryLoop(
      usecase,
      {
        paymentTimeoutMs: config.paymentTimeoutMs,
        intervalMs: config.expiryIntervalMs,
        batchSize: config.expiryBatchSize,
      },
      logger,
      signal,
      expiryParkedCounter(metrics.registry),
    ),
  );
  kit.background((signal) =>
    runRelay(
      pgOutboxSessions(config.databaseDirectUrl),
      {
        bus: events,
        options: config.relay,
        logger: logger.child({ component: "relay" }),
        observer: relayMetrics(metrics.registry),
        tracer: tracing.tracer,
      },
      signal,
    ),
  );
  kit.background((signal) =>
    runOutboxCleanup(
      pgOutboxRetention(db),
      config.outboxCleanup,
      logger.child({ component: "outbox-cleanup" }),
      signal,
    ),
  );
  return server;
}

if (import.meta.main) {
  await runMain(createLogger("loms"), "loms", () => startLoms(lomsConfig(process.env)));
}
