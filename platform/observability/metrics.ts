// Prometheus metrics (prom-client). Each service owns a registry labelled with its name, so that
// in embedded mode, where four services share one process, each /metrics still speaks for one.
// RPCs are measured under the grpc-ecosystem names dashboards expect (go-grpc-prometheus):
// grpc_{server,client}_{started,handled}_total, grpc_{server,client}_handling_seconds, plus an
// in-flight gauge per side for saturation. The default process metrics add event-loop lag, CPU
// and memory; saturation.ts adds pool gauges.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Latency buckets in seconds, 1 ms to 10 s, shared by every duration histogram. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type RpcLabels = "grpc_type" | "grpc_service" | "grpc_method";

interface RpcSideMetrics {
  readonly started: Counter<RpcLabels>;
  readonly handled: Counter<RpcLabels | "grpc_code">;
  readonly handling: Histogram<RpcLabels>;
  readonly inFlight: Gauge<RpcLabels>;
}

export interface Metrics {
  readonly registry: Registry;
  /** Filled by rpc/interceptors/metrics.ts: calls served over gRPC, and calls made. */
  readonly grpc: { readonly server: RpcSideMetrics; readonly client: RpcSideMetrics };
  /**
   * Every HTTP request (gateway routes, probes, docs, also those refused before a handler), by
   * route template (`handler`, never the raw path), method and status code.
   */
  readonly http: {
    readonly requests: Counter<"handler" | "method" | "code">;
    readonly duration: Histogram<"handler" | "method" | "code">;
  };
}

function rpcSide(registry: Registry, side: "server" | "client"): RpcSideMetrics {
  const labelNames = ["grpc_type", "grpc_service", "grpc_method"] as const;
  const what = side === "server" ? "RPCs started on the server" : "RPCs started by the client";
  return {
    started: new Counter({
      name: `grpc_${side}_started_total`,
      help: `Total number of ${what}.`,
      labelNames,
      registers: [registry],
    }),
    handled: new Counter({
      name: `grpc_${side}_handled_total`,
      help: `Total number of RPCs completed on the ${side}, regardless of success or failure.`,
      labelNames: [...labelNames, "grpc_code"] as const,
      registers: [registry],
    }),
    handling: new Histogram({
      name: `grpc_${side}_handling_seconds`,
      help: `Histogram of response latency (seconds) of gRPC calls ${side === "server" ? "handled" : "made"}.`,
      labelNames,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: `grpc_${side}_in_flight_requests`,
      help: `RPCs currently ${side === "server" ? "being handled" : "awaited"}.`,
      labelNames,
      registers: [registry],
    }),
  };
}

// prom-client's default collectors also export these as gauges ending in _total, which the
// Prometheus naming rules reserve for counters (promtool check metrics fails on them). The same
// numbers remain by type in nodejs_active_handles, nodejs_active_requests, nodejs_active_resources.
const MISNAMED_DEFAULTS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
  const httpLabels = ["handler", "method", "code"] as const;
  const http = {
    requests: new Counter({
      name: "http_requests_total",
      help: "HTTP requests answered, by route template, method and status code.",
      labelNames: httpLabels,
      registers: [registry],
    }),
    duration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request latency, by route template, method and status code.",
      labelNames: httpLabels,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  };
  return {
    registry,
    grpc: { server: rpcSide(registry, "server"), client: rpcSide(registry, "client") },
    http,
  };
}
