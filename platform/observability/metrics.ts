// Prometheus metrics (prom-client). Each service owns a registry labelled with its name, so that
// in embedded mode, where four services share one process, each /metrics still speaks for one.
// RPC metrics cover the four golden signals: traffic and errors (requests_total by code),
// latency (duration histogram) and saturation (in-flight gauge, plus event-loop lag from the
// default process metrics).

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { type Interceptor, methodPath } from "../rpc/call.ts";
import { AppError } from "../rpc/errors.ts";

export interface Metrics {
  readonly registry: Registry;
  readonly rpcInterceptor: Interceptor;
}

export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });

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

  const rpcInterceptor: Interceptor = (next) => async (req, call) => {
    const base = { side: call.side, transport: call.transport, method: methodPath(call.method) };
    inFlight.inc(base);
    const stop = duration.startTimer();
    let code = "OK";
    try {
      return await next(req, call);
    } catch (err) {
      code = AppError.from(err).code;
      throw err;
    } finally {
      inFlight.dec(base);
      stop({ ...base, code });
      requests.inc({ ...base, code });
    }
  };
  return { registry, rpcInterceptor };
}
