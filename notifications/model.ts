// Notifications domain. The order event is LOMS's and is defined once, on the wire, by
// proto/loms/v1/events.proto (loms.v1.OrderEvent, with its validation rules); event-decoding.ts
// maps it to what notifications keeps of it.

/** One order status change as notifications keeps and lists it: the stored notification. */
export interface Notification {
  /** Unique per change: a redelivery carries the same id and is skipped. */
  readonly eventId: string;
  readonly orderId: number;
  /** The order's status as LOMS names it; the proto's rules admit only LOMS's five. */
  readonly status: string;
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
