// How a customer is told, for now: one structured log line per notification.

import type { Logger } from "../platform/observability/logger.ts";
import type { Notifier } from "./ports.ts";

export function logNotifier(logger: Logger): Notifier {
  return {
    notify: (n) =>
      logger.info(
        { order_id: n.orderId, status: n.status, event_id: n.eventId, moment: n.moment.toISOString() },
        "order status notification",
      ),
  };
}
