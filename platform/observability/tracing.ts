// Tracing (OpenTelemetry): one tracer provider per service, so that in embedded mode, where four
// services share a process, each span still names its own service. Spans go to an OTLP/HTTP
// (protobuf) collector when an endpoint is configured; with none, spans are still made (trace
// ids reach the logs and travel in metadata) but nothing is exported, so the service runs
// unchanged without a collector. Context crosses `await` through AsyncLocalStorage, set once
// per process; request code passes it explicitly in the Ctx (traceContextKey in
// rpc/context-values.ts; carried across boundaries by observability/trace-context.ts).

import { context, type Tracer, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { ZipkinExporter } from "@opentelemetry/exporter-zipkin";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-node";
import { ConfigError, type Env, envString } from "../config.ts";

export interface TracingConfig {
  /** OTLP/HTTP base URL (spans are posted to `<endpoint>/v1/traces`); empty: export nothing. */
  readonly endpoint: string;
  /**
   * Zipkin's span API (`.../api/v2/spans`); empty: none. A second copy of every span for the
   * stack's trace UI, since the Jaeger built from the Go module serves the query API but no UI.
   */
  readonly zipkinEndpoint: string;
  /** Fraction of new traces sampled (0..1); a caller's sampling decision is always followed. */
  readonly sampleRatio: number;
}

/** The standard OpenTelemetry variable names, shared by every service like LOG_LEVEL. */
export function tracingConfig(env: Env): TracingConfig {
  const raw = envString(env, "OTEL_TRACES_SAMPLER_ARG", "1");
  const sampleRatio = Number(raw);
  if (!Number.isFinite(sampleRatio) || sampleRatio < 0 || sampleRatio > 1) {
    throw new ConfigError(`OTEL_TRACES_SAMPLER_ARG must be a number in 0..1, got "${raw}"`);
  }
  return {
    endpoint: envString(env, "OTEL_EXPORTER_OTLP_ENDPOINT", ""),
    zipkinEndpoint: envString(env, "OTEL_EXPORTER_ZIPKIN_ENDPOINT", ""),
    sampleRatio,
  };
}

export interface Tracing {
  readonly tracer: Tracer;
  /** Flushes what is buffered, then stops exporting. */
  shutdown(): Promise<void>;
}

let contextManagerSet = false;

export function createTracing(
  service: string,
  config: TracingConfig,
  processors: readonly SpanProcessor[] = [],
): Tracing {
  if (!contextManagerSet) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerSet = true;
  }
  const exporters = [
    ...(config.endpoint === ""
      ? []
      : [new OTLPTraceExporter({ url: `${config.endpoint.replace(/\/$/, "")}/v1/traces` })]),
    ...(config.zipkinEndpoint === ""
      ? []
      : [new ZipkinExporter({ url: config.zipkinEndpoint, serviceName: service })]),
  ];
  const exporting = exporters.map((exporter) => new BatchSpanProcessor(exporter));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [...exporting, ...processors],
  });
  return { tracer: provider.getTracer("marketplace"), shutdown: () => provider.shutdown() };
}

/** For code that runs without a service's tracer (tests, tools): spans that record nothing. */
export const noopTracer: Tracer = trace.getTracer("noop");
