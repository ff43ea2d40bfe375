// Cart wiring: Postgres repo, product and LOMS clients (the product client rate limited and
// retried), the worker pool for concurrent look-ups, use case → gRPC + gateway.

import { CartService } from "../gen/proto/cart/v1/cart_pb.ts";
import { LomsService } from "../gen/proto/loms/v1/loms_pb.ts";
import { ProductService } from "../gen/proto/product/v1/product_pb.ts";
import { MemoryRateLimitStore, RateLimiter } from "../platform/concurrency/rate-limiter.ts";
import { WorkerPool } from "../platform/concurrency/worker-pool.ts";
import { type Env, envInt, envString } from "../platform/config.ts";
import { Database } from "../platform/db/postgres.ts";
import { createGrpcClient } from "../platform/grpc/client.ts";
import type { ApiDocs } from "../platform/http/openapi.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { createMetrics } from "../platform/observability/metrics.ts";
import { observePool } from "../platform/observability/saturation.ts";
import { createTracing, type TracingConfig, tracingConfig } from "../platform/observability/tracing.ts";
import { bindService } from "../platform/rpc/call.ts";
import { loggingInterceptor } from "../platform/rpc/interceptors/logging.ts";
import { metricsInterceptor } from "../platform/rpc/interceptors/metrics.ts";
import { rateLimitClientInterceptor } from "../platform/rpc/interceptors/rate-limit.ts";
import { retryInterceptor } from "../platform/rpc/interceptors/retry.ts";
import { tracingInterceptor } from "../platform/rpc/interceptors/tracing.ts";
import { type RunningServer, startService } from "../platform/service.ts";
import { runMain } from "../platform/startup.ts";
import { GrpcLoms } from "./loms-client.ts";
import { cartMetricsInterceptor } from "./metrics.ts";
import { GrpcProductCatalog } from "./product-client.ts";
import { PgCartRepo } from "./repo.ts";
import { cartHandlers } from "./server.ts";
import { CartUsecase } from "./usecase.ts";

/** What /docs describes (and `make lint` checks with Redocly). */
export const cartApiDocs: ApiDocs = { services: [CartService], tokenHeader: true };

export interface CartConfig {
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly databaseUrl: string;
  readonly dbPoolMax: number;
  readonly productAddr: string;
  readonly productToken: string;
  /** Calls per second to the product service, summed over every cart process. */
  readonly productRps: number;
  /** Added to the limiter's one-second window to absorb network jitter (see startCart). */
  readonly productRpsMarginMs: number;
  readonly lomsAddr: string;
  /** Concurrent product look-ups per process (the worker pool's size). */
  readonly workers: number;
  readonly clientTimeoutMs: number;
  readonly tracing: TracingConfig;
}

export function cartConfig(env: Env): CartConfig {
  return {
    host: envString(env, "CART_HOST", "127.0.0.1"),
    httpPort: envInt(env, "CART_HTTP_PORT", 8082),
    grpcPort: envInt(env, "CART_GRPC_PORT", 50052),
    databaseUrl: envString(env, "CART_DATABASE_URL", "postgres://cart:cart@127.0.0.1:6433/cart"),
    dbPoolMax: envInt(env, "CART_DB_POOL_MAX", 10, 1),
    productAddr: envString(env, "CART_PRODUCT_ADDR", "127.0.0.1:50053"),
    productToken: envString(env, "CART_PRODUCT_TOKEN", "testtoken"),
    productRps: envInt(env, "CART_PRODUCT_RPS_LIMIT", 10, 1),
    productRpsMarginMs: envInt(env, "CART_PRODUCT_RPS_MARGIN_MS", 50),
    lomsAddr: envString(env, "CART_LOMS_ADDR", "127.0.0.1:50051"),
    workers: envInt(env, "CART_WORKERS", 10, 1),
    clientTimeoutMs: envInt(env, "CART_CLIENT_TIMEOUT_MS", 10_000, 1),
    tracing: tracingConfig(env),
  };
}

export async function startCart(config: CartConfig): Promise<RunningServer> {
  const logger = createLogger("cart");
  const tracing = createTracing("cart", config.tracing);
  const { tracer } = tracing;
  const db = new Database({
    url: config.databaseUrl,
    max: config.dbPoolMax,
    applicationName: "cart",
    tracer,
  });
  const metrics = createMetrics("cart");
  // The window is widened by a margin: permits are counted when calls leave, the product service
  // counts them when they arrive, and uneven network delay would otherwise squeeze a full window
  // of calls into slightly less than a second at the far end.
  const limiter = new RateLimiter(
    new MemoryRateLimitStore(),
    "product-service",
    config.productRps,
    1000 + config.productRpsMarginMs,
  );
  const productClient = createGrpcClient(ProductService, {
    address: config.productAddr,
    timeoutMs: config.clientTimeoutMs,
    // Retries outermost, so that every attempt waits for its own rate-limit permit (and its
    // span shows that wait).
    interceptors: [
      retryInterceptor({ attempts: 3, baseDelayMs: 100, methods: ["GetProduct", "ListSkus"] }),
      tracingInterceptor(tracer),
      rateLimitClientInterceptor(limiter, metrics.registry, "product-service"),
      metricsInterceptor(metrics),
      loggingInterceptor(logger),
    ],
  });
  const lomsClient = createGrpcClient(LomsService, {
    address: config.lomsAddr,
    timeoutMs: config.clientTimeoutMs,
    interceptors: [
      retryInterceptor({ attempts: 3, baseDelayMs: 100, methods: ["StocksInfo"] }),
      tracingInterceptor(tracer),
      metricsInterceptor(metrics),
      loggingInterceptor(logger),
    ],
  });
  const pool = new WorkerPool(config.workers);
  observePool(metrics.registry, "db", "cart", () => db.stats());
  observePool(metrics.registry, "worker", "product-lookups", () => ({
    size: pool.size,
    inUse: pool.running,
    waiting: pool.queued,
  }));
  const loms = new GrpcLoms(lomsClient);
  const usecase = new CartUsecase(
    new PgCartRepo(db),
    new GrpcProductCatalog(productClient, config.productToken),
    loms,
    loms,
    pool,
  );
  const service = await startService({
    name: "cart",
    logger,
    metrics,
    tracing,
    host: config.host,
    httpPort: config.httpPort,
    grpcPort: config.grpcPort,
    bindings: [bindService(CartService, cartHandlers(usecase))],
    interceptors: [cartMetricsInterceptor(metrics.registry)],
    readiness: () => db.ping(AbortSignal.timeout(2_000)),
    docs: cartApiDocs,
  });
  return {
    httpPort: service.httpPort,
    grpcPort: service.grpcPort,
    stop: async () => {
      await service.stop();
      await pool.close();
      productClient.close();
      lomsClient.close();
      await db.close();
    },
  };
}

if (import.meta.main) {
  await runMain(createLogger("cart"), "cart", () => startCart(cartConfig(process.env)));
}
