// Prometheus metrics (prom-client). Each service owns a registry labelled with its name, so that
// in embedded mode, where four services share one process, each /metrics still speaks for one.
// RPC metrics cover the four golden signals: traffic and errors (requests_total by code),
// latency (duration histogram) and saturation (in-flight gauge, plus event-loop lag from the
// default process metrics).

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface Metrics {
  readonly registry: Registry;
  /** Filled by rpc/interceptors/metrics.ts for every call, server and client side. */
  readonly rpc: {
    readonly requests: Counter<"side" | "transport" | "method" | "code">;
    readonly duration: Histogram<"side" | "transport" | "method" | "code">;
    readonly inFlight: Gauge<"side" | "transport" | "method">;
  };
  /** Every HTTP request by route template, verb and status (also those refused before a handler). */
  readonly http: {
    readonly requests: Counter<"route" | "verb" | "status">;
    readonly duration: Histogram<"route" | "verb" | "status">;
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

  const labelNames = ["side", "transport", "method", "code"] as const;
  const requests = new Counter({
    name: "rpc_requests_total",
    help: "RPCs completed, by side (server/client), transport, method and status code.",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "rpc_request_duration_seconds",
    help: "RPC latency from first byte in to last byte out.",
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: "rpc_in_flight",
    help: "RPCs currently being handled or awaited.",
    labelNames: ["side", "transport", "method"] as const,
    registers: [registry],
  });

  const httpLabels = ["route", "verb", "status"] as const;
  const httpRequests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by route template, verb and status.",
    labelNames: httpLabels,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency, by route template, verb and status.",
    labelNames: httpLabels,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    rpc: { requests, duration, inFlight },
    http: { requests: httpRequests, duration: httpDuration },
  };
}
