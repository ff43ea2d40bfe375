// LOMS wiring: Postgres → repositories → use case → gRPC + gateway, the stock seed, and the
// unpaid-order expiry loop.

import { LomsService } from "../gen/proto/loms/v1/loms_pb.ts";
import { type Env, envInt, envString } from "../platform/config.ts";
import { Database } from "../platform/db/postgres.ts";
import type { ApiDocs } from "../platform/http/openapi.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { createMetrics } from "../platform/observability/metrics.ts";
import { observePool } from "../platform/observability/saturation.ts";
import { createTracing, type TracingConfig, tracingConfig } from "../platform/observability/tracing.ts";
import { bindService } from "../platform/rpc/call.ts";
import { type RunningServer, startService } from "../platform/service.ts";
import { runMain } from "../platform/startup.ts";
import { runExpiryLoop } from "./expiry.ts";
import { observeOrders } from "./metrics.ts";
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
  readonly dbPoolMax: number;
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
    dbPoolMax: envInt(env, "LOMS_DB_POOL_MAX", 10, 1),
    seedFile: envString(env, "LOMS_SEED_FILE", "sql/loms/seed/stocks.json"),
    paymentTimeoutMs: envInt(env, "LOMS_PAYMENT_TIMEOUT_MS", 10 * 60_000, 1),
    expiryIntervalMs: envInt(env, "LOMS_EXPIRY_INTERVAL_MS", 5_000, 1),
    expiryBatchSize: envInt(env, "LOMS_EXPIRY_BATCH_SIZE", 100, 1),
    tracing: tracingConfig(env),
  };
}

export async function startLoms(config: LomsConfig): Promise<RunningServer> {
  const logger = createLogger("loms");
  const tracing = createTracing("loms", config.tracing);
  const db = new Database({
    url: config.databaseUrl,
    max: config.dbPoolMax,
    applicationName: "loms",
    tracer: tracing.tracer,
  });
  const background = new AbortController();
  if (config.seedFile !== "" && (await seedStocksOnce(db, config.seedFile, background.signal))) {
    logger.info({ file: config.seedFile }, "stock seed loaded");
  }
  const usecase = new LomsUsecase(new PgLomsStore(db));
  const metrics = createMetrics("loms");
  observePool(metrics.registry, "db", "loms", () => db.stats());
  observeOrders(metrics.registry, db);
  const service = await startService({
    name: "loms",
    logger,
    tracing,
    metrics,
    host: config.host,
    httpPort: config.httpPort,
    grpcPort: config.grpcPort,
    bindings: [bindService(LomsService, lomsHandlers(usecase))],
    readiness: () => db.ping(AbortSignal.timeout(2_000)),
    docs: lomsApiDocs,
  });
  const expiry = runExpiryLoop(
    usecase,
    {
      paymentTimeoutMs: config.paymentTimeoutMs,
      intervalMs: config.expiryIntervalMs,
      batchSize: config.expiryBatchSize,
    },
    logger,
    background.signal,
  );
  return {
    httpPort: service.httpPort,
    grpcPort: service.grpcPort,
    stop: async () => {
      await service.stop();
      background.abort();
      await expiry;
      await db.close();
    },
  };
}

if (import.meta.main) {
  await runMain(createLogger("loms"), "loms", () => startLoms(lomsConfig(process.env)));
}
