// The bus side of notifications: subscribes the consumer group to the order-events topic and
// hands every delivery to the use case. The bus commits a message's offset only after this
// handler resolved, i.e. after the notification's transaction committed.

import type { EventBus, Subscription } from "../platform/events/bus.ts";
import { backgroundCtx } from "../platform/rpc/context.ts";
import { withValue } from "../platform/rpc/context-values.ts";
import { requestIdKey } from "../platform/rpc/interceptors/request-id.ts";
import type { NotificationsUsecase } from "./usecase.ts";

export function consumeOrderEvents(
  bus: EventBus,
  usecase: NotificationsUsecase,
  topic: string,
  group: string,
): Promise<Subscription> {
  return bus.subscribe({
    topic,
    group,
    handler: async (delivery, signal) => {
      await usecase.handle(withValue(backgroundCtx(signal), requestIdKey, delivery.headers["x-request-id"]), {
        ...delivery,
        offset: Number(delivery.offset),
      });
    },
  });
}
