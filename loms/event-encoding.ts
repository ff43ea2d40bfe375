// The outbox row's wire form: the generated loms.v1.OrderEvent (proto/loms/v1/events.proto, the
// one definition of the event), encoded by platform/events/json-codec.ts — which also checks the
// proto's rules, so a row that breaks them is caught here and parked, not sent for every
// consumer to store as poison. Key = order id, event id and request metadata in headers.

import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { OrderEventSchema } from "../gen/proto/loms/v1/events_pb.ts";
import type { BusMessage } from "../platform/events/bus.ts";
import { encodeEvent } from "../platform/events/json-codec.ts";
import type { PendingEvent } from "./ports.ts";

/** A claimed batch split: what can be published, and what cannot, with why. */
export interface EncodedBatch {
  readonly ready: readonly { readonly event: PendingEvent; readonly value: string }[];
  readonly unencodable: readonly { readonly event: PendingEvent; readonly reason: string }[];
  /** Later events of an order with an unencodable one: neither sent nor parked, they wait. */
  readonly held: readonly PendingEvent[];
}

export function encodeBatch(events: readonly PendingEvent[]): EncodedBatch {
  const ready: { event: PendingEvent; value: string }[] = [];
  const unencodable: { event: PendingEvent; reason: string }[] = [];
  const held: PendingEvent[] = [];
  const blocked = new Set<number>();
  for (const event of events) {
    // Events come in outbox order: once one of an order's events cannot go, the rest of that
    // order waits for it, so that the order's events still reach consumers in order.
    if (blocked.has(event.orderId)) {
      held.push(event);
      continue;
    }
    const encoded = encodeOrderEvent(event);
    if ("value" in encoded) ready.push({ event, value: encoded.value });
    else {
      unencodable.push({ event, reason: encoded.reason });
      blocked.add(event.orderId);
    }
  }
  return { ready, unencodable, held };
}

function encodeOrderEvent(event: PendingEvent): { value: string } | { reason: string } {
  // The driver reads a timestamptz JavaScript cannot represent (BC, or past year 275760) as an
  // invalid Date.
  if (Number.isNaN(event.moment.getTime())) return { reason: "moment: not a date JavaScript can represent" };
  return encodeEvent(
    OrderEventSchema,
    create(OrderEventSchema, {
      eventId: event.eventId,
      orderId: BigInt(event.orderId),
      status: event.status,
      moment: timestampFromDate(event.moment),
    }),
  );
}

export function toBusMessage(event: PendingEvent, value: string, traceparent: string | null): BusMessage {
  const headers: Record<string, string> = { "event-id": event.eventId };
  if (event.requestId) headers["x-request-id"] = event.requestId;
  if (traceparent) headers.traceparent = traceparent;
  return { key: String(event.orderId), value, headers };
}
