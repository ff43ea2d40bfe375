// The bus side of notifications: subscribes the consumer group to the order-events topic and
// hands every delivery to the use case. The bus commits a message's offset only after this
// handler resolved, i.e. after the notification's transaction committed.

import type { Tracer } from "@opentelemetry/api";
import type { EventBus, Subscription } from "../platform/events/bus.ts";
import { consumeTraced } from "../platform/events/tracing.ts";
import { noopTracer } from "../platform/observability/tracing.ts";
import { backgroundCtx } from "../platform/rpc/context.ts";
import { requestIdKey, wellFormedRequestId, withValue } from "../platform/rpc/context-values.ts";
import type { NotificationsUsecase } from "./usecase.ts";

export function consumeOrderEvents(
  bus: EventBus,
  usecase: NotificationsUsecase,
  topic: string,
  group: string,
  tracer: Tracer = noopTracer,
): Promise<Subscription> {
  return bus.subscribe({
    topic,
    group,
    // The handler continues the trace of the request that changed the order (traceparent header).
    handler: async (delivery, signal) => {
      // Any producer can write to the topic: the header is bounded like an incoming request's.
      const requestId = wellFormedRequestId(delivery.headers["x-request-id"]);
      const ctx = withValue(backgroundCtx(signal), requestIdKey, requestId);
      const attributes = {
        "messaging.kafka.partition": delivery.partition,
        "messaging.kafka.offset": delivery.offset,
      };
      await consumeTraced(tracer, topic, delivery.headers, ctx, attributes, (traced) =>
        usecase.handle(traced, { ...delivery, offset: Number(delivery.offset) }),
      );
    },
  });
}
