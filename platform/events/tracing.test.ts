// Trace context crosses the event bus: a producer span under a request's traceparent (as stored
// with an outbox row) puts its own traceparent in the message's headers, and the consumer's span
// continues it; the handler runs with that span in its Ctx and as the active span.

import { expect, test } from "bun:test";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { createLogger } from "../observability/logger.ts";
import { extractTraceContext, traceIds } from "../observability/trace-context.ts";
import { createTracing } from "../observability/tracing.ts";
import { backgroundCtx } from "../rpc/context.ts";
import { traceContextKey, withValue } from "../rpc/context-values.ts";
import { inProcessBus } from "./in-process.ts";
import { consumeTraced, endProducerSpans, startProducerSpan, traceparentOf } from "./tracing.ts";

const exporter = new InMemorySpanExporter();
const config = { endpoint: "", zipkinEndpoint: "", sampleRatio: 1 };
const producer = createTracing("producer", config, [new SimpleSpanProcessor(exporter)]);
const consumer = createTracing("consumer", config, [new SimpleSpanProcessor(exporter)]);
const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const REQUEST_SPAN = "b7ad6b7169203331";

test("traceparentOf gives the Ctx's span as a W3C header value, null without one", () => {
  const ctx = withValue(
    backgroundCtx(),
    traceContextKey,
    extractTraceContext(new Headers({ traceparent: `00-${TRACE_ID}-${REQUEST_SPAN}-01` })),
  );
  expect(traceparentOf(ctx)).toBe(`00-${TRACE_ID}-${REQUEST_SPAN}-01`);
  expect(traceparentOf(backgroundCtx())).toBeNull();
});

test("produce → consume over the bus forms one trace: request → publish → process", async () => {
  const bus = inProcessBus(createLogger("bus-tracing-test"), 1);
  const seen: { ids: ReturnType<typeof traceIds>; active?: string }[] = [];
  const sub = await bus.subscribe({
    topic: "orders",
    group: "g",
    handler: (delivery, signal) =>
      consumeTraced(
        consumer.tracer,
        "orders",
        delivery.headers,
        backgroundCtx(signal),
        { key: delivery.key },
        async (ctx) => {
          seen.push({ ids: traceIds(ctx), active: trace.getSpanContext(context.active())?.spanId });
        },
      ),
  });
  const { span, traceparent } = startProducerSpan(
    producer.tracer,
    "orders",
    `00-${TRACE_ID}-${REQUEST_SPAN}-01`,
    { order: 1 },
  );
  await bus.publish(
    "orders",
    [{ key: "1", value: "{}", headers: traceparent ? { traceparent } : {} }],
    new AbortController().signal,
  );
  endProducerSpans([span]);
  for (let i = 0; i < 200 && seen.length === 0; i++) await Bun.sleep(5);
  await sub.stop();

  const spans = exporter.getFinishedSpans();
  const publish = spans.find((s) => s.kind === SpanKind.PRODUCER);
  const process = spans.find((s) => s.kind === SpanKind.CONSUMER);
  expect(publish?.name).toBe("publish orders");
  expect(publish?.spanContext().traceId).toBe(TRACE_ID);
  expect(publish?.parentSpanContext?.spanId).toBe(REQUEST_SPAN);
  expect(process?.spanContext().traceId).toBe(TRACE_ID);
  expect(process?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId as string);
  expect(process?.attributes).toMatchObject({
    "messaging.system": "kafka",
    "messaging.destination.name": "orders",
  });
  const processId = process?.spanContext().spanId;
  expect(seen).toEqual([{ ids: { trace_id: TRACE_ID, span_id: processId as string }, active: processId }]);
});

test("a message without traceparent starts a new trace at the consumer", async () => {
  exporter.reset();
  await consumeTraced(consumer.tracer, "orders", {}, backgroundCtx(), {}, async () => {});
  const process = exporter.getFinishedSpans()[0];
  expect(process?.parentSpanContext).toBeUndefined();
  expect(process?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
});
