// Cart wiring: Postgres repo, product and LOMS clients (the product client rate limited and
// retried, behind the product cache and the process-wide worker pool), a per-listing bound on
// concurrent look-ups, use case → gRPC + gateway.

import { CartService } from "../gen/proto/cart/v1/cart_pb.ts";
import { LomsService } from "../gen/proto/loms/v1/loms_pb.ts";
import { ProductService } from "../gen/proto/product/v1/product_pb.ts";
import { ReadThroughCache } from "../platform/cache/read-through.ts";
import { BoundedMapper, WorkerPool } from "../platform/concurrency/worker-pool.ts";
import { type Env, envBool, envInt, envList, envString } from "../platform/config.ts";
import { createGrpcClient } from "../platform/grpc/client.ts";
import type { ApiDocs } from "../platform/http/openapi.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { observePool } from "../platform/observability/saturation.ts";
import { type TracingConfig, tracingConfig } from "../platform/observability/tracing.ts";
import { ShardedRedisCache } from "../platform/redis/cache-store.ts";
import { awaitShards, closeShards, connectShards } from "../platform/redis/shards.ts";
import { bindService } from "../platform/rpc/call.ts";
import { sendAuthTokenInterceptor } from "../platform/rpc/interceptors/auth-token.ts";
import { loggingInterceptor } from "../platform/rpc/interceptors/logging.ts";
import { metricsInterceptor } from "../platform/rpc/interceptors/metrics.ts";
import { rateLimitClientInterceptor } from "../platform/rpc/interceptors/rate-limit.ts";
import { retryInterceptor } from "../platform/rpc/interceptors/retry.ts";
import { tracingInterceptor } from "../platform/rpc/interceptors/tracing.ts";
import type { RunningServer } from "../platform/service.ts";
import { readinessOf, serviceKit } from "../platform/service-kit.ts";
import { runMain } from "../platform/startup.ts";
import { CachedProductCatalog } from "./cached-catalog.ts";
import { GrpcLoms } from "./loms-client.ts";
import { cartMetrics } from "./metrics.ts";
import type { Product } from "./model.ts";
import { productBudget } from "./product-budget.ts";
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
  /** Prepared statements: only on a direct Postgres connection (see platform/db/postgres.ts). */
  readonly dbPrepare: boolean;
  /** Reach product and LOMS in-process when they run in this process (embedded mode). */
  readonly inProcessPeers: boolean;
  readonly productAddr: string;
  readonly productToken: string;
  /** Calls per second to the product service, summed over every cart process. */
  readonly productRps: number;
  /** Added to the limiter's one-second window: clock-rate differences only (see startCart). */
  readonly productRpsMarginMs: number;
  /** Of `productRps`, at most this many per second may check tokens cart has never seen accepted. */
  readonly productUnverifiedRps: number;
  /** Cart processes sharing the budget, at least (the Redis fallback's divisor; see LivePeers). */
  readonly productBudgetCarts: number;
  readonly lomsAddr: string;
  /** Product calls in flight per process (the worker pool's size), whatever the request count. */
  readonly workers: number;
  /** Concurrent product look-ups of one listing. */
  readonly listConcurrency: number;
  /** Redis instances for the shared rate limiter and the sharded product cache; none = in-process. */
  readonly redisUrls: readonly string[];
  readonly cache: {
    readonly ttlMs: number;
    readonly localTtlMs: number;
    readonly negativeTtlMs: number;
    readonly localSize: number;
  };
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
    dbPrepare: envBool(env, "CART_DB_PREPARE", false),
    inProcessPeers: envBool(env, "CART_INPROC_PEERS", false),
    productAddr: envString(env, "CART_PRODUCT_ADDR", "127.0.0.1:50053"),
    productToken: envString(env, "CART_PRODUCT_TOKEN", "testtoken"),
    productRps: envInt(env, "CART_PRODUCT_RPS_LIMIT", 10, 1),
    productRpsMarginMs: envInt(env, "CART_PRODUCT_RPS_MARGIN_MS", 10),
    productUnverifiedRps: envInt(env, "CART_PRODUCT_UNVERIFIED_RPS", 2, 1),
    productBudgetCarts: envInt(env, "CART_PRODUCT_BUDGET_CARTS", 1, 1),
    lomsAddr: envString(env, "CART_LOMS_ADDR", "127.0.0.1:50051"),
    workers: envInt(env, "CART_WORKERS", 10, 1),
    listConcurrency: envInt(env, "CART_LIST_CONCURRENCY", 10, 1),
    redisUrls: envList(env, "CART_REDIS_URLS", []),
    cache: {
      ttlMs: envInt(env, "CART_PRODUCT_CACHE_TTL_MS", 60_000, 1),
      localTtlMs: envInt(env, "CART_PRODUCT_CACHE_LOCAL_TTL_MS", 5_000, 1),
      negativeTtlMs: envInt(env, "CART_PRODUCT_CACHE_NEGATIVE_TTL_MS", 5_000, 1),
      localSize: envInt(env, "CART_PRODUCT_CACHE_LOCAL_SIZE", 10_000),
    },
    clientTimeoutMs: envInt(env, "CART_CLIENT_TIMEOUT_MS", 10_000, 1),
    tracing: tracingConfig(env),
  };
}

export async function startCart(config: CartConfig): Promise<RunningServer> {
  const kit = serviceKit("cart", config.tracing);
  const { logger, metrics, tracing } = kit;
  const { tracer } = tracing;
  const db = kit.database({ url: config.databaseUrl, max: config.dbPoolMax, prepare: config.dbPrepare });
  // With Redis configured, one limiter log is shared by every cart process (the budget is global)
  // and product info is cached across them; without it, both live in this process only.
  const shards = connectShards(config.redisUrls, logger, { tracer });
  kit.onStop(() => closeShards(shards));
  await awaitShards(shards, 2_000);
  const budget = await productBudget(config, shards, logger, metrics.registry);
  kit.onStop(() => budget.stop());
  const productClient = createGrpcClient(ProductService, {
    address: config.productAddr,
    timeoutMs: config.clientTimeoutMs,
    inProcess: config.inProcessPeers,
    // Retries outermost, so that every attempt waits for its own rate-limit permit (and its
    // span shows that wait). Only UNAVAILABLE is retried: a RESOURCE_EXHAUSTED means the
    // product service's budget is spent, and a retry would spend it again (retry.ts).
    interceptors: [
      retryInterceptor({
        attempts: 3,
        baseDelayMs: 100,
        retryOn: ["UNAVAILABLE"],
        methods: ["GetProduct", "ListSkus"],
      }),
      tracingInterceptor(tracer),
      rateLimitClientInterceptor(budget.limiter, metrics.registry, "product-service"),
      sendAuthTokenInterceptor,
      metricsInterceptor(metrics),
      loggingInterceptor(logger),
    ],
  });
  kit.onStop(() => productClient.close());
  const lomsClient = createGrpcClient(LomsService, {
    address: config.lomsAddr,
    timeoutMs: config.clientTimeoutMs,
    inProcess: config.inProcessPeers,
    interceptors: [
      // OrderCreate is safe to retry: cart sends a checkout key and LOMS makes one order per key.
      retryInterceptor({ attempts: 3, baseDelayMs: 100, methods: ["StocksInfo", "OrderCreate"] }),
      tracingInterceptor(tracer),
      metricsInterceptor(metrics),
      loggingInterceptor(logger),
    ],
  });
  kit.onStop(() => lomsClient.close());
  const pool = new WorkerPool(config.workers);
  kit.onStop(() => pool.close());
  observePool(metrics.registry, "worker", "product-lookups", () => ({
    size: pool.size,
    inUse: pool.running,
    waiting: pool.queued,
  }));
  const loms = new GrpcLoms(lomsClient);
  const remote = shards.length > 0 ? new ShardedRedisCache(shards) : undefined;
  const productCache = new ReadThroughCache<Product>({
    name: "product",
    localCapacity: config.cache.localSize,
    // Alone (embedded mode) the local layer keeps entries as long as Redis would.
    localTtlMs: remote ? Math.min(config.cache.localTtlMs, config.cache.ttlMs) : config.cache.ttlMs,
    remoteTtlMs: config.cache.ttlMs,
    negativeTtlMs: config.cache.negativeTtlMs,
    remote,
    registry: metrics.registry,
  });
  const catalog = new CachedProductCatalog(
    new GrpcProductCatalog(productClient, config.productToken, pool),
    productCache,
    config.cache.ttlMs,
    budget.unverifiedCap,
  );
  const usecase = new CartUsecase(
    new PgCartRepo(db),
    catalog,
    loms,
    loms,
    new BoundedMapper(config.listConcurrency),
    cartMetrics(metrics.registry),
  );
  return kit.serve({
    host: config.host,
    httpPort: config.httpPort,
    grpcPort: config.grpcPort,
    bindings: [bindService(CartService, cartHandlers(usecase))],
    readiness: readinessOf(db),
    docs: cartApiDocs,
  });
}

if (import.meta.main) {
  await runMain(createLogger("cart"), "cart", () => startCart(cartConfig(process.env)));
}
