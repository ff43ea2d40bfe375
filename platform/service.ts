// The one way a service starts its servers: gRPC (when it has services) and HTTP with the
// gateway, health, readiness and metrics, all sharing one handler chain:
//   request id → auth token → trace context → span → metrics → logging → validation → [extra interceptors] → handler.

import type { Registry } from "prom-client";
import { type GrpcServer, startGrpcServer } from "./grpc/server.ts";
import { docsEndpoints } from "./http/docs.ts";
import { createGateway, type GatewayOptions } from "./http/gateway.ts";
import { sendJson } from "./http/io.ts";
import { openApiDocument } from "./http/openapi.ts";
import { type Endpoint, startHttpServer } from "./http/server.ts";
import type { Logger } from "./observability/logger.ts";
import { createMetrics, type Metrics } from "./observability/metrics.ts";
import { noopTracer, type Tracing } from "./observability/tracing.ts";
import type { Interceptor, ServiceBinding } from "./rpc/call.ts";
import { buildHandlers } from "./rpc/handlers.ts";
import { loggingInterceptor } from "./rpc/interceptors/logging.ts";
import { metadataInterceptors } from "./rpc/interceptors/metadata.ts";
import { metricsInterceptor } from "./rpc/interceptors/metrics.ts";
import { tracingInterceptor } from "./rpc/interceptors/tracing.ts";
import { validationInterceptor } from "./rpc/interceptors/validation.ts";

export interface ServiceOptions {
  readonly name: string;
  readonly logger: Logger;
  readonly host: string;
  readonly httpPort: number;
  /** gRPC port; required when `bindings` is non-empty. */
  readonly grpcPort?: number;
  readonly bindings?: readonly ServiceBinding[];
  readonly interceptors?: readonly Interceptor[];
  /** Throws (or rejects) while a dependency the service needs is unreachable. */
  readonly readiness?: () => Promise<void> | void;
  readonly gateway?: GatewayOptions;
  /** The service's metrics, when it also instruments its clients; created here otherwise. */
  readonly metrics?: Metrics;
  /** The service's tracing (observability/tracing.ts), shut down (flushed) last on stop. */
  readonly tracing?: Tracing;
  /** Serve Swagger UI for the gateway at /docs. */
  readonly docs?: boolean;
}

export interface RunningService {
  readonly name: string;
  readonly httpPort: number;
  readonly grpcPort: number | undefined;
  readonly registry: Registry;
  /** Readiness turns false, then both servers drain in-flight calls. */
  stop(graceMs?: number): Promise<void>;
}

/** What a service's wiring hands back to whoever started it (main, the embedded runner, tests). */
export type RunningServer = Pick<RunningService, "httpPort" | "grpcPort" | "stop">;

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { logger } = options;
  const metrics = options.metrics ?? createMetrics(options.name);
  const bindings = options.bindings ?? [];
  const table = buildHandlers(bindings, [
    ...metadataInterceptors,
    tracingInterceptor(options.tracing?.tracer ?? noopTracer),
    metricsInterceptor(metrics),
    loggingInterceptor(logger),
    validationInterceptor,
    ...(options.interceptors ?? []),
  ]);

  let grpc: GrpcServer | undefined;
  if (bindings.length > 0) {
    if (options.grpcPort === undefined) throw new Error(`${options.name}: grpcPort is required`);
    grpc = await startGrpcServer(table, options.host, options.grpcPort);
  }
  const gateway = bindings.length > 0 ? createGateway(table, options.gateway) : undefined;

  let stopping = false;
  const endpoints: Record<string, Endpoint> = {
    "/healthz": (_req, res) => sendJson(res, 200, { status: "ok" }),
    "/readyz": async (_req, res) => {
      if (stopping) return sendJson(res, 503, { status: "stopping" });
      try {
        await options.readiness?.();
        sendJson(res, 200, { status: "ready" });
      } catch (err) {
        sendJson(res, 503, { status: "not ready", reason: (err as Error).message });
      }
    },
    "/metrics": async (_req, res) => {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text);
    },
    ...(gateway && options.docs
      ? docsEndpoints(options.name, openApiDocument(options.name, gateway.routes))
      : {}),
  };
  const http = await startHttpServer({
    host: options.host,
    port: options.httpPort,
    endpoints,
    fallback: gateway?.handle,
    logger,
  });
  logger.info({ http: http.port, grpc: grpc?.port }, `${options.name} started`);

  return {
    name: options.name,
    httpPort: http.port,
    grpcPort: grpc?.port,
    registry: metrics.registry,
    stop: async (graceMs = 10_000) => {
      stopping = true;
      await Promise.all([grpc?.shutdown(graceMs), http.close(graceMs)]);
      await options.tracing?.shutdown();
      logger.info(`${options.name} stopped`);
    },
  };
}
