// Trace context across the event bus: the producer span of a message continues the trace of the
// request that caused it (its W3C traceparent, stored with the outbox row), and travels in the
// message's `traceparent` header; the consumer continues it with a CONSUMER span around the
// handler, made active so that the handler's own spans (Postgres) nest under it.

import { context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import { extractTraceContext, injectTraceContext } from "../observability/trace-context.ts";
import type { Ctx } from "../rpc/context.ts";
import { getValue, traceContextKey, withValue } from "../rpc/context-values.ts";

/** The `traceparent` of the span in the Ctx, to store with work done later (an outbox row). */
export function traceparentOf(ctx: Ctx): string | null {
  const headers = new Headers();
  injectTraceContext(getValue(ctx, traceContextKey), headers);
  return headers.get("traceparent");
}

/** A PRODUCER span under `traceparent`; its own traceparent goes into the message's headers. */
export function startProducerSpan(
  tracer: Tracer,
  topic: string,
  traceparent: string | null,
  attributes: Record<string, string | number>,
): { span: Span; traceparent: string | null } {
  const parent = extractTraceContext(new Headers(traceparent ? { traceparent } : {}));
  const span = tracer.startSpan(
    `publish ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: { "messaging.system": "kafka", "messaging.destination.name": topic, ...attributes },
    },
    parent,
  );
  const headers = new Headers();
  injectTraceContext(trace.setSpan(parent, span), headers);
  return { span, traceparent: headers.get("traceparent") };
}

/** Ends producer spans once the broker answered (or did not). */
export function endProducerSpans(spans: readonly Span[], error?: unknown): void {
  for (const span of spans) {
    if (error)
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : "error" });
    span.end();
  }
}

/**
 * Runs a delivery's handler in a CONSUMER span continuing the message's trace; the handler gets
 * a Ctx carrying that span, like a request's.
 */
export async function consumeTraced<T>(
  tracer: Tracer,
  topic: string,
  headers: Readonly<Record<string, string>>,
  ctx: Ctx,
  attributes: Record<string, string | number>,
  handler: (ctx: Ctx) => Promise<T>,
): Promise<T> {
  const parent = extractTraceContext(
    new Headers(headers.traceparent ? { traceparent: headers.traceparent } : {}),
  );
  const span = tracer.startSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: { "messaging.system": "kafka", "messaging.destination.name": topic, ...attributes },
    },
    parent,
  );
  const active = trace.setSpan(parent, span);
  try {
    return await context.with(active, () => handler(withValue(ctx, traceContextKey, active)));
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : "error" });
    throw err;
  } finally {
    span.end();
  }
}
