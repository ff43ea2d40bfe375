// Notifications domain: the order event as it arrives from LOMS, and how it is decoded.

const ORDER_STATUSES = ["new", "awaiting payment", "failed", "payed", "cancelled"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** One status change of one order; also the stored notification. */
export interface OrderEvent {
  readonly eventId: string;
  readonly orderId: number;
  readonly status: OrderStatus;
  readonly moment: Date;
}

/** A message as the bus delivered it, with where it came from (kept for poison messages). */
export interface IncomingMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// RFC 3339 with a zone: what LOMS writes (toISOString) and what a Date can be trusted to read.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Decodes DESIGN's JSON `{event_id, order_id, status, moment}`; the reason when it is not that. */
export function decodeOrderEvent(value: string): { event: OrderEvent } | { reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return { reason: "value is not JSON" };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    return { reason: "value is not a JSON object" };
  const { event_id, order_id, status, moment } = raw as Record<string, unknown>;
  if (typeof event_id !== "string" || !UUID.test(event_id)) return { reason: "event_id is not a UUID" };
  if (typeof order_id !== "number" || !Number.isSafeInteger(order_id) || order_id <= 0) {
    return { reason: "order_id is not a positive integer" };
  }
  if (typeof status !== "string" || !(ORDER_STATUSES as readonly string[]).includes(status)) {
    return { reason: `unknown status ${JSON.stringify(status)}` };
  }
  if (typeof moment !== "string" || !RFC3339.test(moment) || Number.isNaN(Date.parse(moment))) {
    return { reason: "moment is not an RFC 3339 timestamp" };
  }
  return {
    event: {
      eventId: event_id.toLowerCase(),
      orderId: order_id,
      status: status as OrderStatus,
      moment: new Date(moment),
    },
  };
}
