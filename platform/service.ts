// The one way a service starts its servers: gRPC (when it has services) and HTTP with the
// gateway, health, readiness and metrics, all sharing one handler chain:
//   request id → auth token → trace context → span → metrics → logging → validation → [extra interceptors] → handler.

import type { Registry } from "prom-client";
import { createHealth, type GrpcHealth } from "./grpc/health.ts";
import { addReflection } from "./grpc/reflection.ts";
import { type GrpcServer, startGrpcServer } from "./grpc/server.ts";
import { docsEndpoints } from "./http/docs.ts";
import { createGateway, type GatewayOptions } from "./http/gateway.ts";
import { sendJson } from "./http/io.ts";
import { type ApiDocs, openApiDocument } from "./http/openapi.ts";
import { type Endpoint, startHttpServer } from "./http/server.ts";
import { registerInProcess } from "./inproc/channel.ts";
import type { Logger } from "./observability/logger.ts";
import { createMetrics, type Metrics } from "./observability/metrics.ts";
import { noopTracer, type Tracing } from "./observability/tracing.ts";
import type { Interceptor, ServiceBinding } from "./rpc/call.ts";
import { AppError } from "./rpc/errors.ts";
import { buildHandlers } from "./rpc/handlers.ts";
import { loggingInterceptor } from "./rpc/interceptors/logging.ts";
import { metadataInterceptors } from "./rpc/interceptors/metadata.ts";
import { metricsInterceptor } from "./rpc/interceptors/metrics.ts";
import { tracingInterceptor } from "./rpc/interceptors/tracing.ts";
import { validationInterceptor } from "./rpc/interceptors/validation.ts";
import { listenFailure } from "./startup.ts";

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
  /** How often grpc.health.v1.Health re-runs `readiness` (default 2 s). */
  readonly healthIntervalMs?: number;
  readonly gateway?: GatewayOptions;
  /**
   * The deadline of a call that arrives without one, over gRPC and through the gateway (unless
   * `gateway.timeoutMs` says otherwise); default 30 s.
   */
  readonly defaultTimeoutMs?: number;
  /** The service's metrics, when it also instruments its clients; created here otherwise. */
  readonly metrics?: Metrics;
  /** The service's tracing (observability/tracing.ts), shut down (flushed) last on stop. */
  readonly tracing?: Tracing;
  /** Serve Swagger UI and this OpenAPI document of the gateway at /docs. */
  readonly docs?: ApiDocs;
  /**
   * Prefix of the service's port variables, named when a port is taken (`<prefix>_HTTP_PORT`);
   * by default the name in capitals with underscores (product-mock → PRODUCT_MOCK), the
   * services' own convention for their variables.
   */
  readonly envPrefix?: string;
  /** Plain HTTP endpoints by path, for a service without a gRPC gateway (notifications). */
  readonly endpoints?: Readonly<Record<string, Endpoint>>;
}

export interface RunningService {
  readonly name: string;
  readonly httpPort: number;
  readonly grpcPort: number | undefined;
  readonly registry: Registry;
  /**
   * Readiness turns false (/readyz 503, gRPC health NOT_SERVING) while both servers keep serving:
   * the first step of a shutdown, so that load balancers stop sending before listeners close.
   */
  drain(): void;
  /** Drains (if not yet), then both servers finish in-flight calls and close. */
  stop(graceMs?: number): Promise<void>;
}

/** What a service's wiring hands back to whoever started it (main, the embedded runner, tests). */
export type RunningServer = Pick<RunningService, "httpPort" | "grpcPort" | "drain" | "stop">;

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { logger } = options;
  const metrics = options.metrics ?? createMetrics(options.name);
  const bindings = options.bindings ?? [];
  const envPrefix = options.envPrefix ?? options.name.toUpperCase().replaceAll("-", "_");
  const table = buildHandlers(bindings, [
    ...metadataInterceptors,
    tracingInterceptor(options.tracing?.tracer ?? noopTracer),
    metricsInterceptor(metrics),
    loggingInterceptor(logger),
    validationInterceptor,
    ...(options.interceptors ?? []),
  ]);

  let grpc: GrpcServer | undefined;
  let health: GrpcHealth | undefined;
  if (bindings.length > 0) {
    if (options.grpcPort === undefined) throw new Error(`${options.name}: grpcPort is required`);
    const services = bindings.map((b) => b.service);
    const serverHealth = createHealth(services.map((s) => s.typeName));
    const where = `${options.name}: gRPC port ${options.host}:${options.grpcPort}`;
    grpc = await startGrpcServer(table, options.host, options.grpcPort, {
      defaultTimeoutMs: options.defaultTimeoutMs,
      extras: (server) => {
        addReflection(server, services);
        serverHealth.addTo(server);
      },
    }).catch((err) => Promise.reject(listenFailure(err, where, `${envPrefix}_GRPC_PORT`)));
    health = serverHealth;
    await serverHealth.follow(options.readiness ?? (() => {}), options.healthIntervalMs ?? 2_000);
  }
  const unregister = grpc ? registerInProcess(`${options.host}:${grpc.port}`, table) : () => {};
  const gateway =
    bindings.length > 0
      ? createGateway(table, { timeoutMs: options.defaultTimeoutMs, ...options.gateway })
      : undefined;

  let stopping = false;
  const endpoints: Record<string, Endpoint> = {
    "/healthz": (_req, res) => sendJson(res, 200, { status: "ok" }),
    "/readyz": async (_req, res) => {
      if (stopping) return sendJson(res, 503, { status: "stopping" });
      try {
        await options.readiness?.();
        sendJson(res, 200, { status: "ready" });
      } catch (err) {
        // The cause goes to the log; the answer says only what kind of trouble (driver text can
        // name users and hosts, and /readyz is often reachable from outside).
        const reason = err instanceof AppError ? err.detail : "a dependency check failed";
        logger.warn({ err: AppError.from(err) }, "not ready");
        sendJson(res, 503, { status: "not ready", reason });
      }
    },
    "/metrics": async (_req, res) => {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text);
    },
    ...(gateway && options.docs
      ? docsEndpoints(options.name, openApiDocument(options.name, options.docs))
      : {}),
    ...options.endpoints,
  };
  const where = `${options.name}: HTTP port ${options.host}:${options.httpPort}`;
  const http = await startHttpServer({
    host: options.host,
    port: options.httpPort,
    endpoints,
    fallback: gateway?.handle,
    logger,
    observe: (o) => {
      const labels = { handler: o.route, method: o.verb, code: String(o.status) };
      metrics.http.requests.inc(labels);
      metrics.http.duration.observe(labels, o.seconds);
    },
  }).catch(async (err) => {
    health?.stop();
    await grpc?.shutdown(0);
    throw listenFailure(err, where, `${envPrefix}_HTTP_PORT`);
  });
  logger.info({ http: http.port, grpc: grpc?.port }, `${options.name} started`);
  const drain = () => {
    if (stopping) return;
    stopping = true;
    health?.stop();
  };

  return {
    name: options.name,
    httpPort: http.port,
    grpcPort: grpc?.port,
    registry: metrics.registry,
    drain,
    stop: async (graceMs = 10_000) => {
      drain();
      unregister();
      await Promise.all([grpc?.shutdown(graceMs), http.close(graceMs)]);
      await options.tracing?.shutdown();
      logger.info(`${options.name} stopped`);
    },
  };
}
