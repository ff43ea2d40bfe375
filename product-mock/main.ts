// product-mock wiring: catalog → use case (token check, then the rate limit) → gRPC + gateway,
// behind the latency knob; /calls reports what arrived (budget.ts).

import { ProductService } from "../gen/proto/product/v1/product_pb.ts";
import { type Env, envInt, envList, envString } from "../platform/config.ts";
import type { ApiDocs } from "../platform/http/openapi.ts";
import { createLogger } from "../platform/observability/logger.ts";
import { type TracingConfig, tracingConfig } from "../platform/observability/tracing.ts";
import { bindService } from "../platform/rpc/call.ts";
import type { RunningServer } from "../platform/service.ts";
import { serviceKit } from "../platform/service-kit.ts";
import { runMain } from "../platform/startup.ts";
import { RecordedBudget } from "./budget.ts";
import { buildCatalog } from "./catalog.ts";
import { latencyInterceptor } from "./latency.ts";
import { MemoryCatalog } from "./repo.ts";
import { productHandlers } from "./server.ts";
import { ProductUsecase } from "./usecase.ts";

/** What /docs describes (and `make lint` checks with Redocly). */
export const productApiDocs: ApiDocs = { services: [ProductService] };

export interface ProductMockConfig {
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly tokens: readonly string[];
  readonly rps: number;
  readonly latencyMs: number;
  readonly latencyJitterMs: number;
  readonly generatedProducts: number;
  readonly tracing: TracingConfig;
}

export function productMockConfig(env: Env): ProductMockConfig {
  return {
    host: envString(env, "PRODUCT_MOCK_HOST", "127.0.0.1"),
    httpPort: envInt(env, "PRODUCT_MOCK_HTTP_PORT", 8083),
    grpcPort: envInt(env, "PRODUCT_MOCK_GRPC_PORT", 50053),
    tokens: envList(env, "PRODUCT_MOCK_TOKENS", ["testtoken"]),
    rps: envInt(env, "PRODUCT_MOCK_RPS", 10, 1),
    latencyMs: envInt(env, "PRODUCT_MOCK_LATENCY_MS", 10),
    latencyJitterMs: envInt(env, "PRODUCT_MOCK_LATENCY_JITTER_MS", 10),
    generatedProducts: envInt(env, "PRODUCT_MOCK_GENERATED", 5000),
    tracing: tracingConfig(env),
  };
}

export async function startProductMock(config: ProductMockConfig): Promise<RunningServer> {
  const kit = serviceKit("product-mock", config.tracing);
  const catalog = new MemoryCatalog(buildCatalog(config.generatedProducts));
  const budget = new RecordedBudget(config.rps);
  const usecase = new ProductUsecase(catalog, config.tokens, budget);
  return kit.serve({
    host: config.host,
    httpPort: config.httpPort,
    grpcPort: config.grpcPort,
    bindings: [bindService(ProductService, productHandlers(usecase))],
    interceptors: [latencyInterceptor(config.latencyMs, config.latencyJitterMs)],
    docs: productApiDocs,
    endpoints: { "/calls": budget.endpoint() },
  });
}

if (import.meta.main) {
  await runMain(createLogger("product-mock"), "product-mock", () =>
    startProductMock(productMockConfig(process.env)),
  );
}
